import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldValue, profileFieldRe } from '../../../functions/scenarios/domain/conditions.js';
import {
  lifecycleChangeId,
  lifecycleState,
  lifecycleThresholds,
  type LifecycleThresholds,
  nextLifecycle,
  nextLifecycleBoundary,
  type Order,
  orderOf,
  ordersKept,
  type PurchaseSummary,
  usualIntervalMs,
  withOrder,
} from '../../../functions/scoring/domain/lifecycle.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';

const dayMs = 86_400_000;
const t0 = Date.parse('2025-01-01T00:00:00.000Z');
/** ISO time `d` days after 2025-01-01 (fractions allowed). */
const day = (d: number) => new Date(t0 + Math.round(d * dayMs)).toISOString();
const order = (id: string, d: number, revenue?: number): Order => ({ id, at: day(d), ...(revenue === undefined ? {} : { revenue }) });
const fold = (orders: Order[], start?: PurchaseSummary) => orders.reduce<PurchaseSummary | undefined>(withOrder, start);

// The defaults: new 30 d, loyal at 3 orders, at risk 2 × usual within [30, 120] d, churned at 180 d.
const th: LifecycleThresholds = lifecycleThresholds(parseRules('version: 1\nstages: { mql: 10, sql: 20 }\nrules: []\n'));
const stateAt = (s: PurchaseSummary | undefined, d: number, t: LifecycleThresholds = th) => lifecycleState(s, day(d), t).state;

describe('lifecycle states', () => {
  it('is prospect without orders, and never changes by time then', () => {
    expect(lifecycleState(undefined, day(0), th)).toEqual({ state: 'prospect' });
    expect(nextLifecycleBoundary(undefined, day(0), th)).toBeUndefined();
  });

  it('is new from the first order until exactly newWithinDays later, then active', () => {
    const s = fold([order('a', 0)]);
    expect(lifecycleState(s, day(0), th)).toEqual({ state: 'new', since: day(0) });
    expect(stateAt(s, 29.999)).toBe('new');
    expect(lifecycleState(s, day(30), th)).toEqual({ state: 'active', since: day(30) });
    expect(nextLifecycleBoundary(s, day(10), th)?.toISOString()).toBe(day(30));
  });

  it('makes a one-order customer at risk at atRiskMaxDays (no usual interval) and churned at churnedAfterDays', () => {
    const s = fold([order('a', 0)]);
    expect(stateAt(s, 119.999)).toBe('active');
    expect(lifecycleState(s, day(120), th)).toEqual({ state: 'at_risk', since: day(120) });
    expect(nextLifecycleBoundary(s, day(30), th)?.toISOString()).toBe(day(120));
    expect(stateAt(s, 179.999)).toBe('at_risk');
    expect(lifecycleState(s, day(180), th)).toEqual({ state: 'churned', since: day(180) });
    expect(nextLifecycleBoundary(s, day(120), th)?.toISOString()).toBe(day(180));
    expect(nextLifecycleBoundary(s, day(180), th)).toBeUndefined();
  });

  it('is loyal from loyalOrders orders (after the new period), or from loyalRevenue when set', () => {
    const two = fold([order('a', 0, 10), order('b', 20, 10)]);
    expect(stateAt(two, 31)).toBe('active');
    const three = withOrder(two, order('c', 25, 10));
    expect(stateAt(three, 29)).toBe('new');
    expect(lifecycleState(three, day(31), th)).toEqual({ state: 'loyal', since: day(30) });
    expect(stateAt(two, 31, { ...th, loyalRevenue: 20 })).toBe('loyal');
    expect(stateAt(two, 31, { ...th, loyalRevenue: 20.01 })).toBe('active');
  });

  it('puts a customer at risk at atRiskFactor × their usual interval, within the floor and ceiling', () => {
    // Orders every 20 days: usual 20 d, at risk 40 d after the last order.
    const every20 = fold([0, 20, 40, 60].map((d) => order(`o${d}`, d)));
    expect(usualIntervalMs(every20!)).toBe(20 * dayMs);
    expect(stateAt(every20, 99.999)).toBe('loyal');
    expect(lifecycleState(every20, day(100), th)).toEqual({ state: 'at_risk', since: day(100) });
    // Every 5 days: 2 × 5 = 10 d, raised to the 30 d floor.
    const every5 = fold([30, 35, 40].map((d) => order(`o${d}`, d)));
    expect(stateAt(every5, 69.999)).toBe('loyal');
    expect(stateAt(every5, 70)).toBe('at_risk');
    // Every 90 days: 180 d, cut to the 120 d ceiling.
    const every90 = fold([0, 90].map((d) => order(`o${d}`, d)));
    expect(stateAt(every90, 209.999)).toBe('active');
    expect(stateAt(every90, 210)).toBe('at_risk');
    expect(stateAt(every90, 270)).toBe('churned');
  });

  it('takes the median gap as the usual interval, so one long pause does not make pauses look usual', () => {
    const s = fold([0, 10, 20, 30, 200].map((d) => order(`o${d}`, d)));
    expect(usualIntervalMs(s!)).toBe(10 * dayMs);
  });

  it('brings a churned or at-risk customer back to active (or loyal) with a new order', () => {
    const one = fold([order('a', 0)]);
    expect(stateAt(one, 200)).toBe('churned');
    const back = withOrder(one, order('b', 200));
    expect(lifecycleState(back, day(200), th)).toEqual({ state: 'active', since: day(200) });
    const loyal = fold([order('c', 201), order('d', 202)], back);
    expect(stateAt(loyal, 203)).toBe('loyal');
    const risky = fold([order('a', 0)]);
    expect(stateAt(withOrder(risky, order('b', 150)), 150)).toBe('active');
  });

  it('goes straight from new to churned when the thresholds say so', () => {
    const t = { ...th, newWithinDays: 400 };
    const s = fold([order('a', 0)]);
    expect(stateAt(s, 100, t)).toBe('new');
    expect(stateAt(s, 120, t)).toBe('at_risk');
    expect(stateAt(s, 180, t)).toBe('churned');
  });
});

describe('purchase summary', () => {
  it('counts a replayed order once, by its id, wherever it comes again', () => {
    const s = fold([order('a', 0, 10), order('b', 5, 20)]);
    expect(withOrder(s, order('a', 0, 10))).toBe(s);
    expect(withOrder(s, order('b', 9, 99))).toBe(s);
    expect(s).toMatchObject({ orders: 2, revenue: 30, firstAt: day(0), lastAt: day(5) });
  });

  it('takes an older order arriving after a newer one as if it came in order', () => {
    const inOrder = fold([order('a', 0, 1), order('b', 10, 2), order('c', 20, 3)]);
    const late = fold([order('c', 20, 3), order('a', 0, 1), order('b', 10, 2)]);
    expect(late).toEqual(inOrder);
    expect(late).toMatchObject({ orders: 3, firstAt: day(0), lastAt: day(20), revenue: 6 });
  });

  it('keeps the latest ordersKept orders, counts an order older than the first, and drops one that may have been counted', () => {
    const many = fold(Array.from({ length: ordersKept + 3 }, (_, i) => order(`o${i}`, 10 + i)))!;
    expect(many.orders).toBe(ordersKept + 3);
    expect(many.recent).toHaveLength(ordersKept);
    expect(many.recent[0]![1]).toBe(day(13));
    // o1 was evicted: coming again it changes nothing (it may or may not have been counted: it was).
    expect(withOrder(many, order('o1', 11))).toBe(many);
    // Unknown, but between the first order and the window: not counted, never double.
    expect(withOrder(many, order('x', 12))).toBe(many);
    // Older than the first order: certainly new.
    const earlier = withOrder(many, order('y', 5))!;
    expect(earlier).toMatchObject({ orders: ordersKept + 4, firstAt: day(5), lastAt: many.lastAt });
    expect(withOrder(earlier, order('y', 5))).toBe(earlier);
  });

  it('ignores orders without a valid time, and bounds revenue to a finite, non-negative amount', () => {
    expect(withOrder(undefined, { id: 'a', at: 'yesterday' })).toBeUndefined();
    const s = fold([order('a', 0, -5), order('b', 1, Number.NaN), order('c', 2, 1e300)]);
    expect(s?.revenue).toBe(1e12);
  });

  it('reads an order from a customer event: its own order id first, revenue then total', () => {
    const ev = (properties: Record<string, unknown>, event = 'Order Completed') => ({ type: 'track' as const, event, messageId: 'm1', timestamp: day(1), properties });
    expect(orderOf(ev({ order_id: 'A-1', revenue: 12 }), th.customerEvents)).toEqual({ id: 'o:A-1', at: day(1), revenue: 12 });
    expect(orderOf(ev({ orderId: 7, total: 3 }), th.customerEvents)).toEqual({ id: 'o:7', at: day(1), revenue: 3 });
    expect(orderOf(ev({ revenue: '12' }), th.customerEvents)).toEqual({ id: 'm:m1', at: day(1) });
    expect(orderOf(ev({}, 'Cart Viewed'), th.customerEvents)).toBeUndefined();
    expect(orderOf({ ...ev({}), type: 'page' as const }, th.customerEvents)).toBeUndefined();
  });
});

describe('stored lifecycle', () => {
  it('keeps the time a state began while it lasts, and reports a change once', () => {
    const s1 = fold([order('a', 0)]);
    const first = nextLifecycle(undefined, s1, day(0), th);
    expect(first).toEqual({ state: 'new', since: day(0), changed: true });
    const s2 = fold([order('b', 40), order('c', 50)], s1);
    const loyal = nextLifecycle(first, s2, day(50), th);
    expect(loyal).toEqual({ state: 'loyal', since: day(50), changed: true });
    const again = nextLifecycle(loyal, withOrder(s2, order('d', 60)), day(60), th);
    expect(again).toEqual({ state: 'loyal', since: day(50), changed: false });
    expect(lifecycleChangeId('p1', loyal)).toBe(`lifecycle:p1:loyal:${day(50)}`);
  });
});

describe('lifecycle in conditions', () => {
  it('lets a segment, branch or trigger filter test the stored state', () => {
    expect(profileFieldRe.test('lifecycle')).toBe(true);
    expect(profileFieldRe.test('lifecycleSince')).toBe(false);
    expect(fieldValue({ stage: 'customer', lifecycle: 'at_risk' }, 'lifecycle')).toBe('at_risk');
  });
});

describe('lifecycle properties', () => {
  const orderArb = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o'),
    d: fc.integer({ min: 0, max: 400 }),
    revenue: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  });
  // One time and revenue per id, as a real order has.
  const ordersArb = fc.uniqueArray(orderArb, { selector: (o) => o.id, maxLength: 15 }).map((os) => os.map((o) => order(o.id, o.d, o.revenue)));
  const thArb = fc.record({
    newWithinDays: fc.integer({ min: 1, max: 90 }),
    loyalOrders: fc.integer({ min: 2, max: 6 }),
    atRiskFactor: fc.double({ min: 1, max: 5, noNaN: true }),
    atRiskMinDays: fc.integer({ min: 1, max: 60 }),
    extra: fc.integer({ min: 0, max: 100 }),
    churnExtra: fc.integer({ min: 0, max: 200 }),
  }).map(({ extra, churnExtra, ...t }): LifecycleThresholds => ({
    ...t,
    atRiskMaxDays: t.atRiskMinDays + extra,
    churnedAfterDays: t.atRiskMinDays + extra + churnExtra,
    customerEvents: ['Order Completed'],
  }));

  it('never depends on an order being replayed, at any point of the history', () => {
    fc.assert(
      fc.property(ordersArb, fc.nat(), fc.nat(), thArb, fc.integer({ min: 0, max: 800 }), (orders, i, j, t, now) => {
        fc.pre(orders.length > 0);
        const at = Math.min(j % (orders.length + 1), orders.length);
        const replayed = orders[i % orders.length]!;
        const withReplay = [...orders.slice(0, at), replayed, ...orders.slice(at)];
        // The replay is of an order applied before it, or (placed earlier) applied after it: either way, once.
        const once = fold(orders);
        const twice = fold(at > i % orders.length ? withReplay : [...orders, replayed]);
        expect(twice).toEqual(once);
        expect(lifecycleState(twice, day(now), t)).toEqual(lifecycleState(once, day(now), t));
      }),
    );
  });

  it('counts the same orders the same in any arrival order while they fit the kept window', () => {
    fc.assert(
      fc.property(ordersArb.map((os) => os.slice(0, ordersKept)), fc.nat(), (orders, seed) => {
        const shuffled = [...orders].sort((a, b) => ((a.id.charCodeAt(0) * 31 + seed) % 17) - ((b.id.charCodeAt(0) * 31 + seed) % 17));
        expect(fold(shuffled)).toEqual(fold(orders));
      }),
    );
  });

  it('puts the next boundary after now, with the state unchanged until then and changed at it', () => {
    fc.assert(
      fc.property(ordersArb, thArb, fc.integer({ min: 0, max: 900 }), (orders, t, now) => {
        const s = fold(orders);
        const from = lifecycleState(s, day(now), t).state;
        const next = nextLifecycleBoundary(s, day(now), t);
        if (!next) {
          // Only prospects and churned customers stay as they are for ever.
          expect(['prospect', 'churned']).toContain(from);
          expect(lifecycleState(s, day(now + 5000), t).state).toBe(from);
          return;
        }
        expect(next.getTime()).toBeGreaterThan(Date.parse(day(now)));
        expect(lifecycleState(s, new Date(next.getTime() - 1), t).state).toBe(from);
        expect(lifecycleState(s, next, t).state).not.toBe(from);
      }),
    );
  });
});
