import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { day, pageView, track } from '../../helpers/events.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

const rulesYaml = `
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: order, match: { event: Order Completed }, points: 10 }
lifecycle: { newWithinDays: 30, loyalOrders: 3 }
`;

let aws: TestAws;
let bus: LocalEventBus;
let handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
let sweep: (input: { now?: string }, c: Context) => Promise<{ lifecycleChanged: number }>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl, EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rulesYaml);
  handler = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: typeof handler }).handler);
  sweep = asFunction('sweep', ((await import('../../../functions/scoring/sweep.js')) as unknown as { handler: typeof sweep }).handler);
});
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const profile = async (id: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item;
const changes = (pid: string) =>
  bus.history.filter((e) => e['detail-type'] === 'lead.lifecycle_changed' && e.detail.profileId === pid).map((e) => `${String(e.detail.from)}>${String(e.detail.to)}`);

describe('customer lifecycle in the stream processor (local mode)', () => {
  it('moves a person prospect → new → active → loyal, publishing each change once though every batch is delivered twice', async () => {
    const anon = 'shopper-1';
    const pid = anonymousProfileId(anon);
    const deliver = async (batch: KinesisStreamEvent) => {
      expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
      expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
      await bus.drain();
    };

    // Two orders: a new customer.
    await deliver(kinesisBatch([track('Order Completed', { order_id: 'A-1', total: 40 }, day(0), { anonymousId: anon }), track('Order Completed', { order_id: 'A-2', total: 60 }, day(5), { anonymousId: anon })], { firstSeq: 1 }));
    expect(await profile(pid)).toMatchObject({ lifecycle: 'new', lifecycleSince: day(0), purchases: { orders: 2, revenue: 100, firstAt: day(0), lastAt: day(5) } });
    expect(changes(pid)).toEqual(['prospect>new']);

    // Time passes: the next event, 31 days after the first order, finds them no longer new.
    await deliver(kinesisBatch([pageView('/account', day(31), { anonymousId: anon })], { firstSeq: 10 }));
    expect(await profile(pid)).toMatchObject({ lifecycle: 'active', lifecycleSince: day(30) });
    expect(changes(pid)).toEqual(['prospect>new', 'new>active']);

    // A third order (and the shop sending the second again under a new message id): loyal, counted once.
    await deliver(
      kinesisBatch([track('Order Completed', { order_id: 'A-2', total: 60 }, day(5), { anonymousId: anon }), track('Order Completed', { order_id: 'A-3', total: 25 }, day(40), { anonymousId: anon })], { firstSeq: 20 }),
    );
    expect(await profile(pid)).toMatchObject({ lifecycle: 'loyal', lifecycleSince: day(40), purchases: { orders: 3, revenue: 125 } });
    expect(changes(pid)).toEqual(['prospect>new', 'new>active', 'active>loyal']);
    const loyal = bus.history.find((e) => e['detail-type'] === 'lead.lifecycle_changed' && e.detail.to === 'loyal')!;
    expect(loyal).toMatchObject({ source: 'nurture.leads', detail: { profileId: pid, orders: 3, revenue: 125, since: day(40), messageId: `lifecycle:${pid}:loyal:${day(40)}` } });
  });

  it('moves a customer on by time alone through the daily sweep (the due index), each change once though the sweep runs twice', async () => {
    const anon = 'shopper-2';
    const pid = anonymousProfileId(anon);
    await handler(kinesisBatch([track('Order Completed', { order_id: 'B-1', total: 30 }, day(0), { anonymousId: anon })], { firstSeq: 200 }), ctx);
    expect(await profile(pid)).toMatchObject({ lifecycle: 'new', lifecycleDue: day(30), gsi2pk: expect.stringMatching(/^due#[0-7]$/) });

    for (const d of [29, 31, 31, 121, 121]) await sweep({ now: day(d) }, ctx);
    await bus.drain();
    // One order: the usual interval is unknown, so at risk after atRiskMaxDays (120 by default).
    expect(changes(pid)).toEqual(['prospect>new', 'new>active', 'active>at_risk']);
    expect(await profile(pid)).toMatchObject({ lifecycle: 'at_risk', lifecycleSince: day(120), lifecycleDue: day(180) });
    await sweep({ now: day(200) }, ctx);
    await bus.drain();
    expect(changes(pid).at(-1)).toBe('at_risk>churned');
    // Churned people never change by time again: they leave the index.
    expect(await profile(pid)).not.toHaveProperty('gsi2pk');
    expect(await profile(pid)).not.toHaveProperty('lifecycleDue');
  });

  it('stores no lifecycle attributes for a visitor who never ordered', async () => {
    const pid = anonymousProfileId('browser-1');
    await handler(kinesisBatch([pageView('/pricing', day(1), { anonymousId: 'browser-1' })], { firstSeq: 100 }), ctx);
    const item = await profile(pid);
    expect(item).toBeDefined();
    expect(item).not.toHaveProperty('purchases');
    expect(item).not.toHaveProperty('lifecycle');
  });
});
