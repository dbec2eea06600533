import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../functions/analytics/adapters/duckdb-engine.js';
import { lakeCounts } from '../../../functions/recommendations/adapters/lake-counts.js';
import { at, tempLake, track, writeRows } from '../analytics/fixture-lake.js';

/** The counting SQL on DuckDB: baskets, the basket cap, duplicates and the window. */

let lake: { dir: string; remove(): void };
let engine: DuckDbEngine;
const window = { from: new Date(at('2026-03-01 00:00')), to: new Date(at('2026-03-31 00:00')) };
const view = (person: string, time: string, id: string) => track(person, time, 'Product Viewed', { properties: JSON.stringify({ product_id: id }) });
const order = (person: string, time: string, ids: string[], orderId?: string) =>
  track(person, time, 'Order Completed', { properties: JSON.stringify({ ...(orderId ? { order_id: orderId } : {}), products: ids.map((product_id) => ({ product_id, name: product_id.toUpperCase(), price: 2 })) }) });

beforeAll(async () => {
  lake = tempLake();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const dup = order('p1', '2026-03-02 10:00', ['a', 'b'], 'o1');
  await writeRows(conn, lake.dir, 'events', [
    dup,
    { ...dup }, // the same message delivered twice
    order('p2', '2026-03-03 10:00', ['a', 'b', 'c'], 'o2'),
    order('p3', '2026-03-04 10:00', ['c']),
    order('p4', '2026-04-04 10:00', ['a', 'b']), // after the window
    // p5 views 51 products on one day: over the 50-product cap, left out of every count.
    ...Array.from({ length: 51 }, (_, i) => view('p5', '2026-03-05 10:00', `v${i}`)),
    // p6 views a and b on one day, and b again the next: two viewed baskets.
    view('p6', '2026-03-06 10:00', 'a'),
    view('p6', '2026-03-06 11:00', 'b'),
    view('p6', '2026-03-07 10:00', 'b'),
  ]);
  conn.closeSync();
  engine = await DuckDbEngine.open(lake.dir);
});
afterAll(() => {
  engine?.close();
  lake?.remove();
});

describe('lake counts', () => {
  it('counts each order once, pairs at the minimum support, and the window only', async () => {
    const c = await lakeCounts(engine, window);

    expect(c.bought.baskets).toBe(3);
    expect(Object.fromEntries(c.bought.items)).toEqual({ a: 2, b: 2, c: 2 });
    expect(c.bought.pairs).toEqual([{ a: 'a', b: 'b', n: 2 }]);
    expect(c.people.get('a')).toEqual({ buyers: 2, viewers: 1 });
    expect(c.learnt.find((p) => p.productId === 'a')).toMatchObject({ name: 'A', price: 2, source: 'events' });
  });

  it('leaves baskets over the cap out of every count', async () => {
    const c = await lakeCounts(engine, window, { minSupport: 1 });

    expect(c.viewed.baskets).toBe(2);
    expect([...c.viewed.items.keys()].sort()).toEqual(['a', 'b']);
    expect(c.viewed.pairs).toEqual([{ a: 'a', b: 'b', n: 1 }]);
    // With the cap raised, the 51 views form one more basket.
    expect((await lakeCounts(engine, window, { maxBasket: 51 })).viewed.baskets).toBe(3);
  });
});
