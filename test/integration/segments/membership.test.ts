import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { DynamoBackfillStore } from '../../../functions/segments/adapters/backfill-store.js';
import { DynamoSegmentStore } from '../../../functions/segments/adapters/definition-store.js';
import { DynamoMembershipStore } from '../../../functions/segments/adapters/membership-store.js';
import { DynamoSendingStore } from '../../../functions/sending/adapters/dynamo-sending-store.js';
import type { Segment } from '../../../functions/segments/domain/definition.js';
import { memberPk, memberShard } from '../../../functions/segments/domain/membership.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { pageView, track } from '../../helpers/events.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

const rulesYaml = `
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: brochure, match: { event: Brochure Downloaded }, points: 20 }
`;

const pricingReaders: Segment = { id: 'pricing-readers', name: 'Read pricing twice this week', conditions: [{ did: 'Page Viewed', path: '/pricing', within: '7d', atLeast: 2 }] };
const hotPricing: Segment = { id: 'hot-pricing', name: 'Pricing readers with 10 points', conditions: [{ segment: 'pricing-readers' }, { field: 'score', gte: 10 }] };

let aws: TestAws;
let bus: LocalEventBus;
let handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
let sweep: (input: { now?: string }, c: Context) => Promise<{ entered: number; exited: number; backfillPages: number }>;
let members: DynamoMembershipStore;
let definitions: DynamoSegmentStore;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl, EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rulesYaml);
  definitions = new DynamoSegmentStore(aws.doc, aws.env.TABLE_NAME!);
  members = new DynamoMembershipStore(aws.doc, aws.env.TABLE_NAME!);
  // Deployed a minute ago: their back-fills (nothing to fill yet) are past the definitions' settling time.
  for (const s of [pricingReaders, hotPricing]) expect(await definitions.create(s, new Date(Date.now() - 60_000))).toBe(true);
  handler = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: typeof handler }).handler);
  sweep = asFunction('segmentsSweep', ((await import('../../../functions/segments/sweep.js')) as unknown as { handler: typeof sweep }).handler);
});
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const profile = async (id: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item;
const segmentEvents = (pid: string) =>
  bus.history.filter((e) => String(e['detail-type']).startsWith('segment.') && e.detail.profileId === pid).map((e) => `${String(e['detail-type']).slice(8)} ${String(e.detail.segmentId)}`);
const deliverTwice = async (batch: KinesisStreamEvent) => {
  expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
  expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
  await bus.drain();
};

describe('streaming segment membership (local mode, IAM checked)', () => {
  it('enters a person as their events qualify them, once though every batch is delivered twice, and counts them', async () => {
    const anon = 'reader-1';
    const pid = anonymousProfileId(anon);
    await deliverTwice(kinesisBatch([pageView('/pricing', minutesFromNow(-30), { anonymousId: anon })], { firstSeq: 1 }));
    expect(await members.isMember('pricing-readers', pid)).toBeUndefined();
    expect(segmentEvents(pid)).toEqual([]);

    await deliverTwice(kinesisBatch([pageView('/pricing', minutesFromNow(-20), { anonymousId: anon })], { firstSeq: 2 }));
    // Two pricing reads (10 points): in both segments, the referencing one evaluated after the one it reads.
    expect(segmentEvents(pid)).toEqual(['entered hot-pricing', 'entered pricing-readers']);
    const item = await profile(pid);
    expect(Object.keys(item!.segments as object).sort()).toEqual(['hot-pricing', 'pricing-readers']);
    expect(item!.gsi3pk).toMatch(/^sdue#[0-7]$/);
    expect(await members.isMember('pricing-readers', pid)).toMatchObject({ profileId: pid, rank: expect.any(Number) });
    expect(await members.count('pricing-readers')).toBe(1);
    expect(await members.count('hot-pricing')).toBe(1);
  });

  it('lets them out when the week has passed, through the due index, once though the sweep runs twice', async () => {
    const pid = anonymousProfileId('reader-1');
    const due = String((await profile(pid))!.segmentsDue);
    // The first of the two reads leaves the 7-day window 7 days after it happened.
    expect(Date.parse(due)).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
    const later = new Date(Date.parse(due) + 1000).toISOString();
    expect(await sweep({ now: new Date(Date.parse(due) - 60_000).toISOString() }, ctx)).toMatchObject({ exited: 0 });
    expect(await sweep({ now: later }, ctx)).toMatchObject({ exited: 2 });
    expect(await sweep({ now: later }, ctx)).toMatchObject({ exited: 0 });
    await bus.drain();
    expect(segmentEvents(pid)).toEqual(['entered hot-pricing', 'entered pricing-readers', 'exited hot-pricing', 'exited pricing-readers']);
    expect(await members.count('pricing-readers')).toBe(0);
    expect(await members.isMember('hot-pricing', pid)).toBeUndefined();
    // Nothing left to change by time: out of the due index.
    expect((await profile(pid))!.gsi3pk).toBeUndefined();
  });

  it('back-fills a new segment over existing people in the background, with progress, and purges a deleted one', async () => {
    const ids = ['bf-1', 'bf-2', 'bf-3'];
    await deliverTwice(kinesisBatch(ids.map((anon, i) => track('Brochure Downloaded', {}, minutesFromNow(-10 + i), { anonymousId: anon })), { firstSeq: 100 }));
    const brochure: Segment = { id: 'brochure-20', name: 'Brochure, 20 points', conditions: [{ field: 'score', gte: 20 }] };
    expect(await definitions.create(brochure, new Date(Date.now() - 60_000))).toBe(true);
    expect(await members.count('brochure-20')).toBe(0);

    const run = await sweep({}, ctx);
    expect(run.backfillPages).toBeGreaterThan(0);
    await bus.drain();
    for (const anon of ids) expect(await members.isMember('brochure-20', anonymousProfileId(anon))).toBeDefined();
    expect(await members.count('brochure-20')).toBe(3);
    const status = await new DynamoBackfillStore(aws.doc, aws.env.TABLE_NAME!).status('brochure-20');
    expect(status).toMatchObject({ status: 'done', kind: 'evaluate', entered: 3, finishedAt: expect.any(String) });
    expect(status!.partitionsDone).toBe(status!.partitions);
    // Back-filled entries go on the bus as stream entries do, once.
    expect(bus.history.filter((e) => e['detail-type'] === 'segment.entered' && e.detail.segmentId === 'brochure-20')).toHaveLength(3);
    // A second run finds nothing open.
    expect((await sweep({}, ctx)).backfillPages).toBe(0);

    // Deleted: its member items and counts go.
    const stored = await definitions.get('brochure-20');
    expect(await definitions.remove('brochure-20', stored!.version, new Date(Date.now() - 60_000))).toBe(true);
    await sweep({}, ctx);
    expect(await members.count('brochure-20')).toBe(0);
    const left = await Promise.all(
      ids.map((anon) => aws.doc.send(new QueryCommand({ TableName: aws.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': memberPk('brochure-20', memberShard(anonymousProfileId(anon))) } }))),
    );
    expect(left.flatMap((r) => r.Items ?? [])).toEqual([]);
  });

  it('follows a consent change made by sending (an unsubscribe) at the next sweep, with no event of the person', async () => {
    const mailable: Segment = { id: 'mailable', name: 'May be mailed', conditions: [{ field: 'consent', equals: 'granted' }] };
    expect(await definitions.create(mailable, new Date(Date.now() - 60_000))).toBe(true);
    const pid = anonymousProfileId('reader-1');
    const sending = new DynamoSendingStore(aws.doc, aws.env.TABLE_NAME!);
    const now = () => new Date().toISOString();
    expect(await sending.setConsent(pid, { status: 'granted', source: 'form', at: now() })).toBe(true);
    await sweep({}, ctx);
    expect(await members.isMember('mailable', pid)).toBeDefined();
    expect(await sending.setConsent(pid, { status: 'revoked', source: 'unsubscribe-link', at: now() })).toBe(true);
    await sweep({}, ctx);
    expect(await members.isMember('mailable', pid)).toBeUndefined();
    await bus.drain();
    expect(segmentEvents(pid).filter((e) => e.endsWith('mailable'))).toEqual(['entered mailable', 'exited mailable']);
  });
});
