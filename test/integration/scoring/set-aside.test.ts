/**
 * An event DynamoDB refuses to store, end to end: the processor's own adapters (IAM-checked as the
 * process role) set it aside alone and apply the rest; the record lists, and once the cause is gone a
 * replay puts it back on the stream and the processor applies it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { KinesisSink } from '../../../functions/ingest/adapters/kinesis-sink.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { idKey } from '../../../functions/profiles/domain/profile.js';
import { processorPorts } from '../../../functions/scoring/adapters/processor-ports.js';
import { SetAsideStore } from '../../../functions/scoring/adapters/set-aside-store.js';
import { batchItemFailures, processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { documentClient } from '../../../functions/shared/aws/dynamodb.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { pageView, track } from '../../helpers/events.js';
import { kinesisBatch, seqOf } from '../../helpers/kinesis-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

const rulesYaml = `
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: order, match: { event: Order Completed }, points: 10 }
`;

let aws: TestAws;
let bus: LocalEventBus;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl, EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rulesYaml);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const recentIds = async (pid: string) =>
  ((await documentClient().send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${pid}`, sk: 'profile' } }))).Item?.recentIds ?? []) as string[];

describe('events that cannot be applied', () => {
  it('sets aside only the event DynamoDB refuses, applies the other 9, and applies it on replay once the cause is gone', async () => {
    const at = () => new Date().toISOString();
    const bad = track('Order Completed', { constructor: 'Ferrari' }, at(), { anonymousId: 'sa-ann', messageId: 'sa-bad' });
    const events: CollectedEvent[] = [
      pageView('/pricing', at(), { anonymousId: 'sa-ann' }),
      pageView('/pricing', at(), { anonymousId: 'sa-bob' }),
      bad,
      pageView('/pricing', at(), { anonymousId: 'sa-cid' }),
      track('Order Completed', {}, at(), { anonymousId: 'sa-ann' }),
      pageView('/pricing', at(), { anonymousId: 'sa-dee' }),
      pageView('/pricing', at(), { anonymousId: 'sa-bob' }),
      pageView('/pricing', at(), { anonymousId: 'sa-eve' }),
      pageView('/pricing', at(), { anonymousId: 'sa-cid' }),
      pageView('/pricing', at(), { anonymousId: 'sa-ann' }),
    ];
    const records: StreamEvent[] = events.map((event, i) => ({ event, seq: seqOf(7000 + i), shard: 'shardId-000000000000' }));
    const ports = processorPorts(aws.env as { TABLE_NAME: string; CONTENT_BUCKET: string; EVENT_BUS_NAME: string }, () => {});
    // The cause, standing in for any value DynamoDB refuses: this event's update carries a number beyond its range.
    let cause = true;
    const save = ports.profiles.save.bind(ports.profiles);
    ports.profiles.save = (stored, next, opts) =>
      save(stored, cause && next.recentIds.includes(idKey(bad.messageId)) ? { ...next, traits: { ...next.traits, engine: 1e200 } } : next, opts);

    const result = await asFunction('process', () => processBatch(records, ports))();

    expect(batchItemFailures(result)).toEqual([]);
    expect(result).toMatchObject({ applied: 9, setAside: 1 });
    for (const e of events.filter((x) => x !== bad)) expect(await recentIds(anonymousProfileId(e.anonymousId!))).toContain(idKey(e.messageId));
    expect(await recentIds(anonymousProfileId('sa-ann'))).not.toContain(idKey(bad.messageId));
    const store = new SetAsideStore(documentClient(), aws.env.TABLE_NAME!);
    const [listed, ...more] = await store.list(100);
    expect(more).toEqual([]);
    expect(listed).toMatchObject({ profileId: anonymousProfileId('sa-ann'), messageId: 'sa-bad', seq: seqOf(7002) });
    expect(listed!.error).toMatch(/^ProfileWriteRefusedError: ValidationException: .*Number overflow/);
    expect(JSON.parse(listed!.event!)).toEqual(JSON.parse(JSON.stringify(bad)));

    // The cause is fixed; the operator replays (what `nurture scoring poison replay --all` does).
    cause = false;
    const sink = new KinesisSink(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);
    const { replayed } = await store.replay(await store.list(100), (evs) => sink.put(evs));
    expect(replayed.map((r) => r.messageId)).toEqual(['sa-bad']);
    expect(await store.list(100)).toEqual([]);
    const onStream = (await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).filter((r) => r.data.messageId === 'sa-bad');
    expect(onStream.map((r) => r.partitionKey)).toEqual(['sa-ann']);
    const handler = asFunction(
      'process',
      ((await import('../../../functions/scoring/process.js')) as unknown as { handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse> }).handler,
    );
    expect(await handler(kinesisBatch(onStream.map((r) => r.data as unknown as CollectedEvent), { firstSeq: 8000 }), ctx)).toEqual({ batchItemFailures: [] });
    expect(await recentIds(anonymousProfileId('sa-ann'))).toContain(idKey(bad.messageId));
  });
});
