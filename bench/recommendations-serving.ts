/**
 * Recommendations serving benchmark (issue 14). Not a test: prints figures.
 *
 *   npm run bench:recommendations-serving [-- --requests 500 --products 300]
 *
 * Seeds a catalog and its TopLists into local mode (ephemeral ports), then times sequential
 * `GET /v1/recommendations` through local mode's HTTP server (IAM check on): product pages with a stored
 * list, and a share of products without one (the popular fallback: one more read). p50/p95 against the
 * 50 ms target, and against two baselines measured in the same run: a bare GetItem round trip to the
 * local DynamoDB, and the ingest route (`POST /v1/track`) through the same server.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { popularKey, productKey, topKey } from '../functions/recommendations/domain/model.js';
import { startLocal } from '../local/runtime/runtime.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '500' }, products: { type: 'string', default: '300' } } });
const requests = Math.min(5_000, Number(values.requests));
const productCount = Math.min(5_000, Number(values.products));
const targetMs = 50;
/** Products that get no stored list, so their requests take the popular fallback. */
const withoutListShare = 0.2;
const categories = Array.from({ length: 10 }, (_, i) => `cat-${i}`);

const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 200 });
const table = local.env.TABLE_NAME!;
const { region, credentials, endpoints } = local.emulators;
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region, credentials, endpoint: endpoints.dynamodb }));

// A deterministic generator, so runs compare.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pid = (i: number) => `sku-${String(i).padStart(5, '0')}`;
const builtAt = new Date().toISOString();
const listOf = (ids: string[]) => ({ items: ids.map((productId, i) => ({ productId, score: 1 / (i + 1) })), builtAt, window: { from: '2026-11-01', to: '2026-12-01' } });
const items: Record<string, unknown>[] = [];
for (let i = 0; i < productCount; i++) {
  items.push({ ...productKey(pid(i)), productId: pid(i), name: `Product ${i}`, url: `https://shop.example.com/p/${i}`, price: 1000 + i, currency: 'JPY', category: categories[i % categories.length], available: random() > 0.05, updatedAt: builtAt });
  if (random() >= withoutListShare) items.push({ ...topKey('bought-together', pid(i)), ...listOf(Array.from({ length: 20 }, () => pid(Math.floor(random() * productCount)))) });
}
for (const c of [...categories, undefined]) items.push({ ...popularKey(c), ...listOf(Array.from({ length: 20 }, () => pid(Math.floor(random() * productCount)))) });
for (let i = 0; i < items.length; i += 25) {
  await doc.send(new BatchWriteCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
}

const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const auth = { authorization: `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}` };
const rec: number[] = [];
/** The same requests, split by whether the stored list answered or the fallback did. */
const listed: number[] = [];
const fellBack: number[] = [];
const getItem: number[] = [];
const ingest: number[] = [];
let fallbacks = 0;
// Warm-up: the first requests load handlers and open connections.
for (let i = 0; i < 20; i++) await fetch(`${local.apiUrl}/v1/recommendations?productId=${pid(i)}`, { headers: auth }).then((r) => r.text());
// One phase per figure, so the processor's work on the ingest baseline's events does not slow the others.
const asked = Array.from({ length: requests }, () => pid(Math.floor(random() * productCount)));
for (const [i, productId] of asked.entries()) {
  let fallback = false;
  const ms = await time(async () => {
    const res = await fetch(`${local.apiUrl}/v1/recommendations?productId=${productId}&anonymousId=bench-${i}&limit=10`, { headers: auth });
    const body = (await res.json()) as { fallback?: string };
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    fallback = Boolean(body.fallback);
  });
  rec.push(ms);
  (fallback ? fellBack : listed).push(ms);
  if (fallback) fallbacks++;
}
for (const productId of asked) getItem.push(await time(() => doc.send(new GetCommand({ TableName: table, Key: topKey('bought-together', productId) }))));
for (let i = 0; i < requests; i++) {
  ingest.push(
    await time(() =>
      fetch(`${local.apiUrl}/v1/track`, { method: 'POST', headers: auth, body: JSON.stringify({ anonymousId: `bench-${i}`, event: 'Bench', messageId: `rb-${i}` }) }).then((r) => r.text()),
    ),
  );
}
doc.destroy();
await local.stop();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const fig = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95) });
const [r, g, n, l, f] = [fig(rec), fig(getItem), fig(ingest), fig(listed), fig(fellBack)];
console.log(`GET /v1/recommendations through local mode, ${requests} sequential requests, ${productCount} products (${fallbacks} answered by the popular fallback)`);
console.log(`p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (target ≤ ${targetMs} ms) ${r.p95 <= targetMs ? 'OK' : 'MISSED'}`);
console.log(`  stored list answered: p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms; popular fallback: p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`);
console.log(`baseline, bare GetItem round trip to local DynamoDB: p50 ${g.p50.toFixed(1)} ms, p95 ${g.p95.toFixed(1)} ms`);
console.log(`baseline, POST /v1/track through local mode:        p50 ${n.p50.toFixed(1)} ms, p95 ${n.p95.toFixed(1)} ms`);
saveResults('recommendations-serving', { servingP50Ms: r.p50, servingP95Ms: r.p95, listedP95Ms: l.p95, fallbackP95Ms: f.p95, getItemP50Ms: g.p50, getItemP95Ms: g.p95, ingestP50Ms: n.p50, ingestP95Ms: n.p95 });
