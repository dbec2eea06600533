import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MeteredExchange, type MeteredInvocation, startMetering } from '../../../local/iam/meter.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

/**
 * The benchmarks' meter (local/iam/meter.ts) end to end: a handler's SDK client (endpoint from the
 * environment, as in Lambda) calling dynalite through the checking proxy, as a named function.
 */

let aws: TestAws;
let doc: DynamoDBDocumentClient;
let stop: (() => void) | undefined;

beforeAll(async () => {
  aws = await startTestAws();
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
});
afterEach(() => stop?.());
afterAll(async () => {
  doc.destroy();
  await aws.stop();
});

// A 3,000-byte attribute: the item is just under 3 KB, three write units (and one read unit to read back).
const item = (sk: string) => ({ pk: 'p#meter', sk, big: 'x'.repeat(3_000) });

describe('benchmark meter', () => {
  it("reports each DynamoDB request's capacity units with its caller, and hands the caller the answer it asked for", async () => {
    const exchanges: MeteredExchange[] = [];
    const invocations: MeteredInvocation[] = [];
    stop = startMetering({ exchange: (e) => exchanges.push(e), invocation: (i) => invocations.push(i) });
    const enroll = asFunction('enroll', async () => {
      const put = await doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: item('a') }));
      const got = await doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'p#meter', sk: 'a' }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
      return { put, got };
    });

    const { put, got } = await enroll();

    expect(put.ConsumedCapacity).toBeUndefined();
    expect(got.ConsumedCapacity?.CapacityUnits).toBe(1);
    expect(got.Item?.big).toHaveLength(3_000);
    expect(exchanges).toEqual([
      expect.objectContaining({ service: 'dynamodb', principal: 'enroll', operation: 'PutItem', status: 200, capacityUnits: 3 }),
      expect.objectContaining({ service: 'dynamodb', principal: 'enroll', operation: 'GetItem', status: 200, capacityUnits: 1 }),
    ]);
    expect(invocations).toEqual([expect.objectContaining({ name: 'enroll' })]);
    expect(invocations[0]!.ms).toBeGreaterThan(0);
  });

  it('sees nothing once stopped, and the caller still gets its answer', async () => {
    const exchanges: MeteredExchange[] = [];
    startMetering({ exchange: (e) => exchanges.push(e) })();

    const put = await asFunction('enroll', () => doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: item('b') })))();

    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(exchanges).toEqual([]);
  });
});
