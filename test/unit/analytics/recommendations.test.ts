import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { merge, track } from './fixture-lake.js';
import { analyticsHarness, renderedSql } from './harness.js';

const h = analyticsHarness();

const rec = (event: 'Recommendation Viewed' | 'Recommendation Clicked') => (person: string, time: string, strategy: string, variant: string) =>
  track(person, time, event, { properties: JSON.stringify({ recId: `r_${strategy}_${variant}`, strategy, variant }) });
const viewed = rec('Recommendation Viewed');
const clicked = rec('Recommendation Clicked');
const order = (person: string, time: string, revenue: number) => track(person, time, 'Order Completed', { revenue, properties: JSON.stringify({ revenue }) });

/** Window 2024-03-01 to 2024-03-10; orders count within 7 days after a click. */
function fixture() {
  const v1Seen = viewed('v1', '2024-03-02 09:00', 'for-you', 'model');
  return {
    events: [
      // v1: two impressions (one delivered twice), a click, an order 3 days later: attributed.
      v1Seen,
      { ...v1Seen, received: v1Seen.received + 1 },
      viewed('v1', '2024-03-02 09:30', 'for-you', 'model'),
      clicked('v1', '2024-03-02 10:00', 'for-you', 'model'),
      order('v1', '2024-03-05 10:00', 100),
      // v2: seen and clicked while anonymous (merged into v2), ordered after the window's end, within 7 days.
      viewed('anon-v2', '2024-03-09 11:00', 'for-you', 'model'),
      clicked('anon-v2', '2024-03-09 12:00', 'for-you', 'model'),
      order('v2', '2024-03-12 12:00', 50),
      // v3: an order 8 days after the click: not attributed.
      viewed('v3', '2024-03-01 09:00', 'for-you', 'model'),
      clicked('v3', '2024-03-01 10:00', 'for-you', 'model'),
      order('v3', '2024-03-09 10:00', 999),
      // v4: an order without a click: not attributed.
      viewed('v4', '2024-03-03 09:00', 'for-you', 'model'),
      order('v4', '2024-03-04 09:00', 999),
      // b1: clicked bought-together, then for-you: the order goes to the latest click only.
      viewed('b1', '2024-03-04 09:00', 'bought-together', 'model'),
      clicked('b1', '2024-03-04 10:00', 'bought-together', 'model'),
      viewed('b1', '2024-03-05 09:00', 'for-you', 'model'),
      clicked('b1', '2024-03-05 10:00', 'for-you', 'model'),
      order('b1', '2024-03-06 10:00', 70),
      // c1 (control): two impressions, one click, two orders.
      viewed('c1', '2024-03-02 09:00', 'for-you', 'control'),
      viewed('c1', '2024-03-02 09:05', 'for-you', 'control'),
      clicked('c1', '2024-03-02 10:00', 'for-you', 'control'),
      order('c1', '2024-03-02 12:00', 30),
      order('c1', '2024-03-03 12:00', 20.5),
      // c2 (control): one impression; a click before the window counts nowhere, nor does its order.
      viewed('c2', '2024-03-06 09:00', 'for-you', 'control'),
      clicked('c2', '2024-02-28 10:00', 'for-you', 'control'),
      order('c2', '2024-03-01 10:00', 999),
    ],
    identity: [merge('anon-v2', 'v2', '2024-03-10 08:00')],
  };
}

describe('recommendations report', () => {
  it('counts impressions, clicks, CTR and orders within 7 days after a click, per strategy and variant, with lift', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('recommendations', { from: '2024-03-01', to: '2024-03-10', days: '7' });

    expect(answer.rows).toEqual([
      { strategy: 'bought-together', variant: 'model', impressions: 1, clicks: 1, ctr: 1, orders: 0, revenue: 0, orders_per_impression: 0 },
      { strategy: 'for-you', variant: 'control', impressions: 3, clicks: 1, ctr: 0.3333, orders: 2, revenue: 50.5, orders_per_impression: 0.666667 },
      { strategy: 'for-you', variant: 'model', impressions: 6, clicks: 4, ctr: 0.6667, orders: 3, revenue: 220, orders_per_impression: 0.5 },
    ]);
    expect((answer as typeof answer & { lift: unknown }).lift).toEqual([
      { strategy: 'bought-together', ctr: null, orders_per_impression: null },
      { strategy: 'for-you', ctr: 2, orders_per_impression: 0.75 },
    ]);
    expect(answer.parameters).toEqual({ from: '2024-03-01', to: '2024-03-10', days: 7 });
  });

  it('attributes the order 8 days after a click when days is 8', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('recommendations', { from: '2024-03-01', to: '2024-03-10', days: '8' });

    expect(answer.rows.find((r) => r.variant === 'model' && r.strategy === 'for-you')).toMatchObject({ orders: 4, revenue: 1219 });
  });

  it('refuses days over 30, naming the field', async () => {
    const lake = await h.lake({ events: [] });
    await expect(lake.run('recommendations', { days: '31' })).rejects.toMatchObject({ statusCode: 400, details: { field: 'days' } });
  });
});

describe('recommendations report SQL', () => {
  it('parses as Trino SQL (what Athena runs)', () => {
    const sql = renderedSql('recommendations', { from: '2024-03-01', to: '2024-03-31', days: '7' });

    expect(() => new nodeSqlParser.Parser().astify(sql, { database: 'trino' })).not.toThrow();
    // Orders are read up to `days` after the window's end.
    expect(sql).toContain("dt BETWEEN '2024-03-01' AND '2024-04-07'");
  });
});
