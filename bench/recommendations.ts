/**
 * Recommendations benchmark (issue 14). Not a test: prints figures.
 *
 *   npm run bench:recommendations [-- --orders 50000 --products 2000 --holdout 2000]
 *
 * A generated order history with a known structure: products in 20 categories with a Zipf popularity
 * skew; each customer leans to one category; an order's anchor product brings its two planted complements
 * along (60 % and 30 %), plus now and then a popular product; 30 % of repeat orders are follow-ups whose
 * anchor is a complement of something the customer bought before; each order comes with a day of product views
 * (the anchor, often its first complement, a few products of the category). The last order of `holdout`
 * customers with two or more orders is held out; the models are built from the rest (the counting SQL on
 * DuckDB over a Parquet lake, then weighting and ranking, as the daily build does, without the table).
 *
 * Printed: hit-rate@10 and NDCG@10 of
 * - bought-together: from the held-out order's first product, the rest of that order are the targets;
 *   baseline: the popular list of that product's category;
 * - for-you: from the customer's earlier orders and views, the held-out order's products are the targets;
 *   baseline: the overall popular list, minus what they bought; and for-you with the popular list of the
 *   person's most frequent category blended in as a prior (`--prior-weight`, default 0.5), against that list alone;
 * with the ratio model / baseline, and the build time (SQL, then weighting and ranking).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../functions/analytics/adapters/duckdb-engine.js';
import { dtOf, type EventRow, lakeTables } from '../functions/analytics/domain/lake.js';
import { lakeCounts } from '../functions/recommendations/adapters/lake-counts.js';
import { buildModels } from '../functions/recommendations/domain/build.js';
import { forYou, type RecentProduct } from '../functions/recommendations/domain/for-you.js';
import type { TopList } from '../functions/recommendations/domain/model.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '50000' }, products: { type: 'string', default: '2000' }, holdout: { type: 'string', default: '2000' }, 'prior-weight': { type: 'string' } } });
const nOrders = Number(values.orders);
const nProducts = Number(values.products);
const nHoldout = Number(values.holdout);
const priorWeight = values['prior-weight'] ? Number(values['prior-weight']) : undefined;
const categories = 20;
const customers = Math.round(nOrders / 4);
const now = Date.UTC(2026, 5, 1);
const dayMs = 86_400_000;

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(14);
/** Zipf(1) over 0..n-1 by inverse CDF on precomputed weights. */
function zipf(n: number): () => number {
  const cdf: number[] = [];
  let s = 0;
  for (let i = 1; i <= n; i++) cdf.push((s += 1 / i));
  return () => {
    const x = rnd() * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
const perCategory = nProducts / categories;
const id = (i: number) => `p${String(i).padStart(5, '0')}`;
const categoryOf = (i: number) => i % categories;
// Product i of a category: category + categories × rank (rank 0 the most popular of its category).
const inCategory = zipf(perCategory);
const global = zipf(nProducts);
const complements = (i: number) => [(i + categories) % nProducts, (i + 2 * categories) % nProducts];

interface Order {
  customer: number;
  at: number;
  items: number[];
  views: number[];
}
const orders: Order[] = [];
const taste = Array.from({ length: customers }, () => Math.floor(rnd() * categories));
const slots = Array.from({ length: nOrders }, () => ({ customer: Math.floor(rnd() * customers), at: now - Math.floor(rnd() * 85 * dayMs) - 3_600_000 })).sort((a, b) => a.at - b.at);
const boughtSoFar = new Map<number, number[]>();
for (const { customer, at } of slots) {
  const past = boughtSoFar.get(customer) ?? [];
  // A follow-up purchase (30 % of repeat orders): a complement of something bought before.
  const followUp = past.length > 0 && rnd() < 0.3;
  const anchor = followUp ? complements(past[Math.floor(rnd() * past.length)]!)[rnd() < 0.5 ? 0 : 1]! : rnd() < 0.7 ? taste[customer]! + categories * inCategory() : global();
  const [c1, c2] = complements(anchor) as [number, number];
  const items = new Set([anchor]);
  if (rnd() < 0.6) items.add(c1);
  if (rnd() < 0.3) items.add(c2);
  if (rnd() < 0.3) items.add(global());
  const views = new Set([anchor]);
  if (rnd() < 0.5) views.add(c1);
  for (let k = Math.floor(rnd() * 3); k > 0; k--) views.add(categoryOf(anchor) + categories * inCategory());
  orders.push({ customer, at, items: [...items], views: [...views] });
  boughtSoFar.set(customer, [...past, ...items]);
}

// Hold out the last order of the first `nHoldout` customers who have two or more.
const byCustomer = new Map<number, Order[]>();
for (const o of orders) {
  let list = byCustomer.get(o.customer);
  if (!list) byCustomer.set(o.customer, (list = []));
  list.push(o);
}
const heldOut = new Set<Order>();
for (const list of byCustomer.values()) {
  if (heldOut.size >= nHoldout) break;
  if (list.length < 2) continue;
  list.sort((a, b) => a.at - b.at);
  heldOut.add(list.at(-1)!);
}

// The training lake: every other order and its views, as events rows.
const columns = [...lakeTables.events.columns.map((c) => c.name), 'dt'];
const blank = Object.fromEntries(columns.map((c) => [c, null])) as unknown as EventRow;
const rows: EventRow[] = [];
const row = (person: string, ts: number, event: string, properties: object): EventRow => ({
  ...blank,
  message_id: randomUUID(),
  profile_id: person,
  type: 'track',
  event,
  properties: JSON.stringify(properties),
  ts,
  received: ts,
  dt: dtOf(ts),
});
for (const o of orders) {
  if (heldOut.has(o)) continue;
  const person = `c${o.customer}`;
  o.views.forEach((v, k) => rows.push(row(person, o.at - (k + 1) * 60_000, 'Product Viewed', { product_id: id(v), name: `Product ${v}`, category: `cat-${categoryOf(v)}` })));
  rows.push(row(person, o.at, 'Order Completed', { order_id: randomUUID(), products: o.items.map((i) => ({ product_id: id(i), price: 10, category: `cat-${categoryOf(i)}` })) }));
}

const lakeDir = mkdtempSync(join(tmpdir(), 'nurture-bench-rec-'));
const t0 = performance.now();
{
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const file = join(lakeDir, 'rows.ndjson');
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  const duck = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' } as const;
  const spec = [...lakeTables.events.columns.map((c) => `${c.name}: '${duck[c.type]}'`), "dt: 'VARCHAR'"].join(', ');
  await conn.run(`COPY (SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})) TO '${join(lakeDir, 'events')}' (FORMAT parquet, PARTITION_BY (dt))`);
  conn.closeSync();
  rmSync(file);
}
const writeMs = performance.now() - t0;

const engine = await DuckDbEngine.open(lakeDir);
const t1 = performance.now();
const counts = await lakeCounts(engine, { from: new Date(now - 90 * dayMs), to: new Date(now) });
const t2 = performance.now();
const catalog = new Map(counts.learnt.map((p) => [p.productId, p]));
const build = buildModels(counts, catalog, new Date(now).toISOString());
const t3 = performance.now();
engine.close();
rmSync(lakeDir, { recursive: true, force: true });

const lists = new Map<string, TopList>(build.lists.map((l) => [l.key.pk, l.list]));
const top = (pk: string) => lists.get(pk)?.items.map((i) => i.productId) ?? [];

/** Hit (any target in the first k) and NDCG@k of one ranked list. */
function score(ranked: string[], targets: Set<string>, k = 10): { hit: number; ndcg: number } {
  const first = ranked.slice(0, k);
  let dcg = 0;
  first.forEach((p, i) => {
    if (targets.has(p)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, targets.size); i++) ideal += 1 / Math.log2(i + 2);
  return { hit: first.some((p) => targets.has(p)) ? 1 : 0, ndcg: ideal > 0 ? dcg / ideal : 0 };
}
const mean = (xs: { hit: number; ndcg: number }[]) => ({ hit: xs.reduce((s, x) => s + x.hit, 0) / Math.max(1, xs.length), ndcg: xs.reduce((s, x) => s + x.ndcg, 0) / Math.max(1, xs.length), n: xs.length });

const bt: { hit: number; ndcg: number }[] = [];
const btBase: { hit: number; ndcg: number }[] = [];
const fy: { hit: number; ndcg: number }[] = [];
const fyBase: { hit: number; ndcg: number }[] = [];
const fyFill: { hit: number; ndcg: number }[] = [];
const fyCatBase: { hit: number; ndcg: number }[] = [];
const boughtTogether = new Map([...lists].filter(([pk]) => pk.startsWith('rec#bought-together#')).map(([pk, l]) => [pk.slice('rec#bought-together#'.length), l]));
const viewedTogether = new Map([...lists].filter(([pk]) => pk.startsWith('rec#viewed-together#')).map(([pk, l]) => [pk.slice('rec#viewed-together#'.length), l]));
for (const o of heldOut) {
  const [query, ...rest] = o.items.map(id);
  if (rest.length > 0) {
    const targets = new Set(rest);
    bt.push(score(top(`rec#bought-together#${query}`).filter((p) => p !== query), targets));
    btBase.push(score(top(`rec#popular#cat-${categoryOf(o.items[0]!)}`).filter((p) => p !== query), targets));
  }
  const history = byCustomer.get(o.customer)!.filter((x) => x !== o);
  const recent: RecentProduct[] = history.flatMap((h) => [...h.items.map((i) => ({ productId: id(i), kind: 'bought' as const, at: h.at })), ...h.views.map((v) => ({ productId: id(v), kind: 'viewed' as const, at: h.at - 60_000 }))]);
  const bought = new Set(history.flatMap((h) => h.items.map(id)));
  // Bought items pull their bought-together lists, viewed ones their viewed-together lists.
  const neighbours = new Map<string, TopList>();
  for (const r of recent) {
    const l = (r.kind === 'bought' ? boughtTogether : viewedTogether).get(r.productId);
    if (l && !neighbours.has(r.productId)) neighbours.set(r.productId, l);
  }
  const targets = new Set(o.items.map(id));
  fy.push(score(forYou(recent, neighbours, bought, 10, { now: o.at }).map((r) => r.productId), targets));
  fyBase.push(score(top('rec#popular#*').filter((p) => !bought.has(p)), targets));
  // The person's most frequent category among their history: its popular list fills the blend's empty places.
  const cats = new Map<number, number>();
  for (const h of history) for (const i of [...h.items, ...h.views]) cats.set(categoryOf(i), (cats.get(categoryOf(i)) ?? 0) + 1);
  const favourite = [...cats].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const categoryPopular = favourite === undefined ? [] : top(`rec#popular#cat-${favourite}`);
  fyFill.push(score(forYou(recent, neighbours, bought, 10, { now: o.at, prior: categoryPopular.map((productId) => ({ productId })), ...(priorWeight !== undefined ? { priorWeight } : {}) }).map((r) => r.productId), targets));
  fyCatBase.push(score(categoryPopular.filter((p) => !bought.has(p)), targets));
}

const m = { bt: mean(bt), btBase: mean(btBase), fy: mean(fy), fyBase: mean(fyBase), fyFill: mean(fyFill), fyCatBase: mean(fyCatBase) };
const f = (x: number) => x.toFixed(3);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '∞');
console.log(`history       ${nOrders} orders over ${nProducts} products (${categories} categories), ${customers} customers; ${rows.length} lake rows (written in ${Math.round(writeMs)} ms)`);
console.log(`held out      ${heldOut.size} last orders (${m.bt.n} with two or more products)`);
console.log(`build         SQL ${Math.round(t2 - t1)} ms + weighting and ranking ${Math.round(t3 - t2)} ms = ${Math.round(t3 - t1)} ms; ${build.figures.boughtPairs} bought pairs, ${build.figures.viewedPairs} viewed pairs, ${build.lists.length} lists`);
console.log(`                          hit@10   NDCG@10   baseline hit@10  NDCG@10   ratio hit  ratio NDCG`);
console.log(`bought-together          ${f(m.bt.hit)}    ${f(m.bt.ndcg)}     ${f(m.btBase.hit)}           ${f(m.btBase.ndcg)}     ${ratio(m.bt.hit, m.btBase.hit)}       ${ratio(m.bt.ndcg, m.btBase.ndcg)}`);
console.log(`for-you                  ${f(m.fy.hit)}    ${f(m.fy.ndcg)}     ${f(m.fyBase.hit)}           ${f(m.fyBase.ndcg)}     ${ratio(m.fy.hit, m.fyBase.hit)}       ${ratio(m.fy.ndcg, m.fyBase.ndcg)}`);
console.log(`for-you + prior (vs cat) ${f(m.fyFill.hit)}    ${f(m.fyFill.ndcg)}     ${f(m.fyCatBase.hit)}           ${f(m.fyCatBase.ndcg)}     ${ratio(m.fyFill.hit, m.fyCatBase.hit)}       ${ratio(m.fyFill.ndcg, m.fyCatBase.ndcg)}`);
saveResults('recommendations', {
  buildSqlMs: Math.round(t2 - t1),
  buildModelMs: Math.round(t3 - t2),
  boughtTogetherHitAt10: m.bt.hit,
  boughtTogetherNdcgAt10: m.bt.ndcg,
  boughtTogetherBaselineHitAt10: m.btBase.hit,
  forYouHitAt10: m.fy.hit,
  forYouNdcgAt10: m.fy.ndcg,
  forYouBaselineHitAt10: m.fyBase.hit,
  forYouWithPriorHitAt10: m.fyFill.hit,
  forYouCategoryBaselineHitAt10: m.fyCatBase.hit,
});
