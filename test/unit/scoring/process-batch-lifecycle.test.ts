import { describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { emptyState } from '../../../functions/profiles/domain/profile.js';
import { mergePurchases, ordersKept, withOrder } from '../../../functions/scoring/domain/lifecycle.js';
import { processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { mergeProfiles } from '../../../functions/profiles/domain/merge.js';
import { applyEvents, type DomainEventOut, foldScores } from '../../../functions/scoring/domain/score.js';
import { collected, day, pageView, track } from '../../helpers/events.js';
import { seqOf } from '../../helpers/kinesis-event.js';
import { memoryProcessorPorts } from '../../helpers/memory-ports.js';

const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
lifecycle: { newWithinDays: 30, loyalOrders: 3, atRiskMinDays: 30, atRiskMaxDays: 120, churnedAfterDays: 180 }
`);
const shard = 'shardId-000000000000';
let seq = 0;
const records = (...events: ReturnType<typeof collected>[]): StreamEvent[] => events.map((event) => ({ event, seq: seqOf(++seq), shard }));
const changes = (published: DomainEventOut[]) => published.filter((e) => e.detailType === 'lead.lifecycle_changed').map((e) => e.detail as { from: string; to: string; since: string; orders: number; revenue: number; messageId: string });
const order = (id: string, d: number, total: number, extra = {}) => track('Order Completed', { order_id: id, total }, day(d), { anonymousId: 'ann', ...extra });
const ann = anonymousProfileId('ann');

describe('stream processor: customer lifecycle', () => {
  it('moves a person prospect → new on the first order and new → active once newWithinDays have passed, one event per change', async () => {
    const { ports, profiles, published } = memoryProcessorPorts(rules);
    await processBatch(records(order('A1', 0, 40), order('A2', 5, 60)), ports);
    expect(profiles.items.get(ann)!.state).toMatchObject({ lifecycle: 'new', lifecycleSince: day(0), purchases: { orders: 2, revenue: 100, firstAt: day(0), lastAt: day(5) } });
    expect(changes(published)).toEqual([expect.objectContaining({ from: 'prospect', to: 'new', since: day(0), orders: 2, revenue: 100, messageId: `lifecycle:${ann}:new:${day(0)}` })]);

    // Any later event is judged at its own time: 31 days after the first order the customer is no longer new.
    await processBatch(records(pageView('/pricing', day(31), { anonymousId: 'ann' })), ports);
    expect(profiles.items.get(ann)!.state).toMatchObject({ lifecycle: 'active', lifecycleSince: day(30) });
    expect(changes(published).map((c) => `${c.from}>${c.to}`)).toEqual(['prospect>new', 'new>active']);

    // A third order makes them loyal; the time they became loyal is the order's.
    await processBatch(records(order('A3', 40, 10)), ports);
    expect(changes(published).at(-1)).toMatchObject({ from: 'active', to: 'loyal', since: day(40), orders: 3, revenue: 110 });
  });

  it('publishes nothing twice when a batch is replayed, redelivered or the shop sends the same order again', async () => {
    const { ports, profiles, published } = memoryProcessorPorts(rules);
    const batch = records(order('B1', 0, 40), order('B2', 5, 60));
    await processBatch(batch, ports);
    await processBatch(batch, ports); // Lambda redelivers the same records
    await processBatch(records(...batch.map((r) => r.event)), ports); // the same messages under new sequence numbers
    await processBatch(records(order('B1', 0, 40, { messageId: 'another-message-id' })), ports); // the same order, a new message
    expect(changes(published)).toHaveLength(1);
    expect(profiles.items.get(ann)!.state.purchases).toMatchObject({ orders: 2, revenue: 100 });
  });

  it('leaves a person without orders without lifecycle attributes (no write a non-customer did not make before)', () => {
    const s = applyEvents(emptyState(ann), [pageView('/pricing', day(0)), track('Form Submitted', {}, day(1))], rules, day(2)).state;
    expect(s).not.toHaveProperty('purchases');
    expect(s).not.toHaveProperty('lifecycle');
    expect(s).not.toHaveProperty('lifecycleSince');
  });

  it('counts only the configured customer events as orders', () => {
    const custom = parseRules(`version: 1\nstages: { mql: 40, sql: 80 }\nrules: []\nlifecycle: { customerEvents: [Subscription Paid] }\n`);
    const s = applyEvents(emptyState(ann), [track('Order Completed', { total: 5 }, day(0)), track('Subscription Paid', { revenue: 9 }, day(1))], custom, day(1)).state;
    expect(s.purchases).toMatchObject({ orders: 1, revenue: 9, firstAt: day(1) });
    expect(s.lifecycle).toBe('new');
  });
});

describe('merging purchase summaries', () => {
  const summary = (ids: string[], start: number) => ids.reduce<ReturnType<typeof withOrder>>((s, id, i) => withOrder(s, { id, at: day(start + i), revenue: 10 }), undefined);

  it('adds the orders of both, an order counted on both once, and keeps the latest ordersKept', () => {
    const a = summary(['o:1', 'o:2', 'o:3'], 0);
    const b = summary(['o:3', 'o:4'], 2);
    const m = mergePurchases(a, b)!;
    expect(m).toMatchObject({ orders: 4, firstAt: day(0), lastAt: day(3) });
    expect(m.recent.map(([, t]) => t)).toEqual([day(0), day(1), day(2), day(3)]);
    // Its documented limit: the summary keeps no revenue per order, so a shared order adds its revenue twice.
    expect(m.revenue).toBe(50);
    const many = mergePurchases(summary(Array.from({ length: 10 }, (_, i) => `o:a${i}`), 0), summary(Array.from({ length: 10 }, (_, i) => `o:b${i}`), 100))!;
    expect(many.orders).toBe(20);
    expect(many.recent).toHaveLength(ordersKept);
    expect(many.recent.at(-1)![1]).toBe(day(109));
  });

  it('a merge folds the other profile\u2019s orders into the survivor, and the next update announces the state they call for', () => {
    const survivor = applyEvents(emptyState('p_s'), [track('Order Completed', { order_id: 'X1', total: 10 }, day(0))], rules, day(0)).state;
    const other = applyEvents(emptyState('p_o'), [track('Order Completed', { order_id: 'Y1', total: 20 }, day(1)), track('Order Completed', { order_id: 'Y2', total: 30 }, day(2))], rules, day(2)).state;
    const merged = mergeProfiles(survivor, other, foldScores(rules));
    expect(merged.purchases).toMatchObject({ orders: 3, revenue: 60, firstAt: day(0), lastAt: day(2) });
    const r = applyEvents(merged, [pageView('/account', day(31))], rules, day(31));
    expect(r.state.lifecycle).toBe('loyal');
    expect(r.events.filter((e) => e.detailType === 'lead.lifecycle_changed').map((e) => e.detail)).toEqual([expect.objectContaining({ profileId: 'p_s', from: 'new', to: 'loyal', orders: 3 })]);
  });

  it('takes the one summary there is', () => {
    const a = summary(['o:1'], 0);
    expect(mergePurchases(a, undefined)).toBe(a);
    expect(mergePurchases(undefined, a)).toBe(a);
    expect(mergePurchases(undefined, undefined)).toBeUndefined();
  });
});
