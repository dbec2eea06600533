import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainTable } from '../../../functions/shared/resources.js';
import { type Emulators, startEmulators } from '../../../local/emulators/start.js';
import { localName, provision, tableInput } from '../../../local/runtime/provision.js';

let emulators: Emulators;
let s3Dir: string;
let ddb: DynamoDBClient;

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'nurture-test-s3-'));
  emulators = await startEmulators({ ports: { dynamodb: 0, kinesis: 0, s3: 0, ses: 0 }, s3Dir });
  ddb = new DynamoDBClient({ endpoint: emulators.endpoints.dynamodb, region: emulators.region, credentials: emulators.credentials });
});
afterAll(async () => {
  ddb?.destroy();
  await emulators?.stop();
  rmSync(s3Dir, { recursive: true, force: true });
});

describe('local table migration', () => {
  it('gives a table of an earlier version the indexes defined since, keeping every item', async () => {
    // Prepare: the main table as an earlier version made it (its first index only), holding leads.
    const name = localName(mainTable.id);
    const current = tableInput(mainTable, name);
    const earlier = { ...current, GlobalSecondaryIndexes: current.GlobalSecondaryIndexes!.slice(0, 1) };
    await ddb.send(new CreateTableCommand(earlier));
    for (let i = 0; i < 30; i++) {
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `p#p${i}` }, sk: { S: 'profile' }, profileId: { S: `p${i}` } } }));
    }

    // Act
    await provision(emulators);

    // Assess: every index of the definition, and the same items.
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName).sort()).toEqual(mainTable.indexes.map((ix) => ix.name).sort());
    const items = await ddb.send(new ScanCommand({ TableName: name }));
    expect(items.Items?.map((it) => it.profileId?.S).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `p${i}`).sort());

    // A second start changes nothing.
    await provision(emulators);
    expect((await ddb.send(new ScanCommand({ TableName: name }))).Count).toBe(30);
  });
});
