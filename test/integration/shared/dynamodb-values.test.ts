import { GetCommand, PutCommand, UpdateCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../../functions/shared/aws/dynamodb.js';
import { startTestAws, type TestAws } from '../../helpers/local-aws.js';

const table = () => process.env.TABLE_NAME!;

describe('document client and values from the internet', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await startTestAws();
  });
  afterAll(() => aws.stop());

  it('stores and reads back objects whose keys look like type markers, at any depth', async () => {
    const doc = documentClient();
    const traits = {
      constructor: 'Ferrari',
      car: { constructor: { name: 'Set' }, model: 'F40' },
      list: [{ constructor: { name: 'Map' } }, { constructor: { name: 'String' } }],
      proto: { __proto__: 'x' },
    };
    await doc.send(new PutCommand({ TableName: table(), Item: { pk: 'p#hostile', sk: 'profile', traits } }));
    await doc.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: 'p#hostile', sk: 'profile' },
        UpdateExpression: 'SET #t.#k = :v',
        ExpressionAttributeNames: { '#t': 'traits', '#k': 'extra' },
        ExpressionAttributeValues: { ':v': { constructor: { name: 'Boolean' } } },
      }),
    );
    const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk: 'p#hostile', sk: 'profile' } }));
    expect(got.Item?.traits).toEqual({ ...JSON.parse(JSON.stringify(traits)), extra: { constructor: { name: 'Boolean' } } });
  });

  it('keeps numbers beyond 2^53 as the doubles JSON made of them, readable as numbers', async () => {
    const doc = documentClient();
    const big = JSON.parse('{"n": 123456789012345678901234, "neg": -9007199254740993}') as Record<string, number>;
    await doc.send(new BatchWriteCommand({ RequestItems: { [table()]: [{ PutRequest: { Item: { pk: 'p#big', sk: 'profile', data: big } } }] } }));
    const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk: 'p#big', sk: 'profile' } }));
    expect(got.Item?.data).toEqual(big);
    expect(typeof (got.Item?.data as Record<string, unknown>).n).toBe('number');
  });
});
