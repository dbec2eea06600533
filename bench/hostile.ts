/**
 * Hostile traffic against local mode, rerun as a benchmark (not a test): prints what each case did.
 *
 *   npm run bench:hostile
 *
 * Starts local mode in-process on ephemeral loopback ports and sends, each bounded in count and time,
 * only to 127.0.0.1:
 *  (a) 10 normal events mixed with 2 messages carrying {"constructor":"Ferrari"} and a number beyond 2^53:
 *      how many of the 10 reach their profiles;
 *  (b) 50 such messages among 200 normal events: time until each normal event is applied (p50/max);
 *  (c) 15, then 50, identify calls with a known lead's email and 30 KB of traits each: the profile item's
 *      size (read from local DynamoDB) and the lead's score before and after;
 *  (d) malformed %-escape paths on the API and the demo site: statuses, and whether the process survives;
 *  (e) properties 4,000 levels deep and a 100,000-deep array body: statuses;
 *  (f) gzip bombs (10 MB and 200 MB of zeros): statuses and the process's peak RSS growth (sampled from a
 *      worker thread, so the peak during a synchronous inflate is seen), beside a limit-less control;
 *  (g) RudderStack's Node SDK (gzip bodies): statuses.
 */
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { createGzip, gunzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import Rudder from '@rudderstack/rudder-sdk-node';
import { startLocal } from '../local/runtime/runtime.js';
import { saveResults } from './lib/results.js';

/** Longest wait for events to be applied in one case; the whole run stays near two minutes at most. */
const applyTimeoutMs = 25_000;
/** Longest any single request may take. */
const requestTimeoutMs = 15_000;

const started = Date.now();
const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0 }, pollIdleMs: 100 });
const figures: Record<string, number> = {};
const rows: [string, string, string][] = [];
const record = (kase: string, what: string, key: string, value: number, shown = String(value)) => {
  figures[key] = value;
  rows.push([kase, what, shown]);
};
const auth = `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}`;
const tag = `h${Date.now().toString(36)}`;

/** One HTTP request with a raw path (fetch would normalize malformed escapes), bounded in time. */
function send(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve) => {
    const url = new URL(base);
    const req = request(
      { host: url.hostname, port: url.port, path, method: opts.method ?? 'GET', headers: opts.headers, timeout: requestTimeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(opts.body);
  });
}
const collect = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  send(local.apiUrl, path, { method: 'POST', body, headers: { authorization: auth, 'content-type': 'application/json', ...headers } });

interface View {
  profile?: { profileId: string };
  score?: { total: number };
  activity?: { id: string }[];
}
async function profile(id: string): Promise<View> {
  const res = await send(local.apiUrl, `/v1/admin/profiles/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
  return res.status === 200 ? (JSON.parse(res.body) as View) : {};
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A message carrying a prototype-shaped property and a number JSON.parse cannot hold exactly. */
const hostile = (anonymousId: string, messageId: string) =>
  `{"type":"track","event":"Hostile","anonymousId":"${anonymousId}","messageId":"${messageId}","properties":{"constructor":"Ferrari","big":123456789012345678901234567890}}`;
const normal = (anonymousId: string, messageId: string, i: number) =>
  JSON.stringify(
    i % 2 === 0
      ? { type: 'page', anonymousId, messageId, name: 'Pricing', context: { page: { path: '/pricing.html' } }, properties: { path: '/pricing.html' } }
      : { type: 'track', anonymousId, messageId, event: 'Product Viewed', properties: { sku: 'insight' } },
  );

/** Polls the visitors' profiles until every expected messageId is in their activity; first-seen times. */
async function applied(visitors: string[], expected: Set<string>, timeoutMs: number) {
  const seen = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < expected.size && Date.now() < deadline) {
    for (const v of visitors) {
      for (const a of (await profile(`anon:${v}`)).activity ?? []) if (expected.has(a.id) && !seen.has(a.id)) seen.set(a.id, Date.now());
    }
    if (seen.size < expected.size) await sleep(200);
  }
  return seen;
}

// (a) 10 normal events with 2 hostile messages among them, in one batch.
{
  const visitors = Array.from({ length: 5 }, (_, i) => `${tag}-a${i}`);
  const ids = Array.from({ length: 10 }, (_, i) => `${tag}-a-n${i}`);
  const messages = ids.map((id, i) => normal(visitors[i % 5]!, id, i));
  messages.splice(3, 0, hostile(visitors[0]!, `${tag}-a-h0`));
  messages.splice(8, 0, hostile(visitors[1]!, `${tag}-a-h1`));
  const t0 = Date.now();
  const res = await collect('/v1/batch', `{"batch":[${messages.join(',')}]}`);
  const seen = await applied(visitors, new Set(ids), applyTimeoutMs);
  record('a', 'collect status (batch of 10 normal + 2 hostile)', 'a_status', res.status);
  record('a', 'normal events on their profiles (of 10)', 'a_normal_applied', seen.size);
  record('a', 'time until the last one was applied', 'a_last_applied_ms', seen.size ? Math.max(...seen.values()) - t0 : -1, seen.size ? `${Math.max(...seen.values()) - t0} ms` : 'never');
}

// (b) 200 normal events and 50 hostile messages, in 10 batches of 25.
{
  const visitors = Array.from({ length: 40 }, (_, i) => `${tag}-b${i}`);
  const sentAt = new Map<string, number>();
  const statuses = new Set<number>();
  for (let b = 0; b < 10; b++) {
    const messages: string[] = [];
    for (let j = 0; j < 20; j++) {
      const n = b * 20 + j;
      const id = `${tag}-b-n${n}`;
      messages.push(normal(visitors[n % 40]!, id, n));
      if (j % 4 === 1) messages.push(hostile(visitors[n % 40]!, `${tag}-b-h${n}`));
    }
    const t = Date.now();
    statuses.add((await collect('/v1/batch', `{"batch":[${messages.join(',')}]}`)).status);
    for (let j = 0; j < 20; j++) sentAt.set(`${tag}-b-n${b * 20 + j}`, t);
  }
  const seen = await applied(visitors, new Set(sentAt.keys()), applyTimeoutMs);
  const latencies = [...seen].map(([id, at]) => at - sentAt.get(id)!).sort((x, y) => x - y);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? -1;
  record('b', 'collect statuses', 'b_status', Math.max(...statuses), [...statuses].join(', '));
  record('b', 'normal events applied (of 200)', 'b_normal_applied', seen.size);
  record('b', 'send → applied p50', 'b_p50_ms', pct(0.5), latencies.length ? `${pct(0.5)} ms` : 'none');
  record('b', 'send → applied max', 'b_max_ms', latencies.at(-1) ?? -1, latencies.length ? `${latencies.at(-1)} ms` : 'none');
}

// (c) a known lead, then 15 and 50 identify calls with its email and 30 KB of traits each.
{
  const ddb = new DynamoDBClient({ endpoint: local.emulators.endpoints.dynamodb, region: local.emulators.region, credentials: local.emulators.credentials });
  const email = `lead-${tag}@example.com`;
  const leadAnon = `${tag}-lead`;
  await collect('/v1/identify', JSON.stringify({ anonymousId: leadAnon, messageId: `${tag}-c-id`, traits: { email, name: 'Lee Hostile', title: 'Director' } }));
  for (const [i, path] of ['/pricing.html', '/products/forecast.html', '/products/insight.html'].entries()) {
    await collect('/v1/page', JSON.stringify({ anonymousId: leadAnon, messageId: `${tag}-c-p${i}`, context: { page: { path } }, properties: { path } }));
  }
  const until = async (messageId: string) => {
    const deadline = Date.now() + applyTimeoutMs;
    while (Date.now() < deadline) {
      const view = await profile(`email:${email}`);
      if (view.activity?.some((a) => a.id === messageId)) return view;
      await sleep(250);
    }
    return profile(`email:${email}`);
  };
  const itemBytes = async (profileId: string | undefined) => {
    if (!profileId) return -1;
    const res = await ddb.send(new GetItemCommand({ TableName: local.env.TABLE_NAME, Key: { pk: { S: `p#${profileId}` }, sk: { S: 'profile' } } }));
    return res.Item ? itemSize(res.Item) : -1;
  };
  const before = await until(`${tag}-c-p2`);
  record('c', 'lead score before', 'c_score_before', before.score?.total ?? -1);
  record('c', 'profile item size before', 'c_item_bytes_before', await itemBytes(before.profile?.profileId), `${await itemBytes(before.profile?.profileId)} B`);
  let sent = 0;
  for (const total of [15, 50]) {
    for (; sent < total; sent++) {
      const traits: Record<string, string> = { email };
      for (let k = 0; k < 30; k++) traits[`attacker${sent}_${k}`] = 'x'.repeat(1000);
      await collect('/v1/identify', JSON.stringify({ anonymousId: `${tag}-attacker${sent}`, messageId: `${tag}-c-x${sent}`, traits }));
    }
    const after = await until(`${tag}-c-x${sent - 1}`);
    const bytes = await itemBytes(after.profile?.profileId);
    record('c', `lead score after ${total} calls`, `c_score_after_${total}`, after.score?.total ?? -1);
    record('c', `profile item size after ${total} calls`, `c_item_bytes_after_${total}`, bytes, `${bytes} B`);
  }
  ddb.destroy();
}

// (d) malformed %-escapes on the API and the demo site; then both must still answer.
{
  const cases: [string, string, string, string][] = [
    ['d_api_profile_status', 'GET', local.apiUrl, '/v1/admin/profiles/%E0%A4%A'],
    ['d_api_track_status', 'POST', local.apiUrl, '/v1/track%'],
    ['d_site_root_status', 'GET', local.siteUrl, '/%'],
    ['d_site_page_status', 'GET', local.siteUrl, '/products/%E0%A4%A'],
  ];
  for (const [key, method, base, path] of cases) {
    const res = await send(base, path, { method, headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
    record('d', `${base === local.apiUrl ? 'API' : 'site'} ${method} ${path}`, key, res.status);
  }
  const alive = (await send(local.apiUrl, '/openapi.json')).status === 200 && (await send(local.siteUrl, '/')).status === 200;
  record('d', 'API and site still answer 200 afterwards', 'd_alive', alive ? 1 : 0, alive ? 'yes' : 'NO');
}

// (e) nesting: 4,000-deep properties, a 100,000-deep message in a batch, a 100,000-deep array body.
{
  const deep = `${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`;
  const arrays = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const cases: [string, string, string, string][] = [
    ['/v1/track, properties 4,000 deep', 'e_track_4000_deep', '/v1/track', `{"anonymousId":"${tag}-e","event":"Deep","properties":${deep}}`],
    ['/v1/batch, one message 100,000 arrays deep', 'e_batch_100k_deep', '/v1/batch', `{"batch":[${arrays}]}`],
    ['/v1/batch, body of 100,000 nested arrays', 'e_body_100k_deep', '/v1/batch', arrays],
  ];
  for (const [what, key, path, body] of cases) {
    const res = await collect(path, body);
    const field = (JSON.parse(res.body || '{}') as { field?: string }).field;
    record('e', what, key, res.status, `${res.status}${field ? ` (field ${field.length > 40 ? `${field.slice(0, 40)}…` : field})` : ''}`);
  }
}

// (f) gzip bombs: 10 MB and 200 MB of zeros (about 10 KB and 200 KB compressed), twice each. The 200 MB one
// makes a limit-less inflate stand out from the RSS the process already has (freed memory is reused).
/** A worker thread sampling the process's RSS every millisecond; answers the peak when asked. */
const samplerCode = `const { parentPort } = require('node:worker_threads');
  let max = 0; const t = setInterval(() => { max = Math.max(max, process.memoryUsage.rss()); }, 1);
  parentPort.on('message', () => { clearInterval(t); parentPort.postMessage(max); });`;
/** Peak RSS growth (MB) of the process while `work` runs, seen from a worker (so a blocked main thread is seen too). */
async function peakRssGrowth(work: () => Promise<unknown>): Promise<number> {
  const sampler = new Worker(samplerCode, { eval: true });
  await sleep(50);
  const before = process.memoryUsage.rss();
  await work();
  await sleep(20);
  const peak = await new Promise<number>((resolve) => {
    sampler.once('message', resolve);
    sampler.postMessage('stop');
  });
  await sampler.terminate();
  return Math.max(0, peak - before) / 1024 / 1024;
}
/** Gzipped zeros, compressed in 1 MB steps so building the bomb never holds it uncompressed. */
async function bombOf(mb: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((r) => gz.on('end', r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mb; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await ended;
  return Buffer.concat(out);
}
{
  for (const mb of [10, 200]) {
    const bomb = await bombOf(mb);
    const statuses: number[] = [];
    const growth = await peakRssGrowth(async () => {
      for (let i = 0; i < 2; i++) statuses.push((await collect('/v1/batch', bomb, { 'content-encoding': 'gzip' })).status);
    });
    record('f', `${mb} MB bomb (${bomb.length} B gzip): statuses`, `f_status_${mb}mb`, Math.max(...statuses), statuses.join(', '));
    record('f', `${mb} MB bomb: peak RSS growth`, `f_peak_rss_growth_mb_${mb}mb`, growth, `${growth.toFixed(1)} MB`);
    if (mb === 200) {
      // Control: the same bomb inflated here with no limit, measured the same way.
      const control = await peakRssGrowth(async () => gunzipSync(bomb).length);
      record('f', `control: ${mb} MB bomb inflated with no limit`, 'f_control_rss_growth_mb', control, `${control.toFixed(1)} MB`);
    }
  }
}

// (g) RudderStack's Node SDK: gzip bodies, one call per request.
{
  const statuses: number[] = [];
  const client = new Rudder(local.secrets.writeKey, {
    dataPlaneUrl: local.apiUrl,
    flushAt: 1,
    flushInterval: 60_000,
    retryCount: 0,
    logLevel: 'error',
    errorHandler: (err: { response?: { status?: number } }) => void statuses.push(err.response?.status ?? 0),
  });
  const done = (err?: unknown) => void (err ? undefined : statuses.push(200));
  client.identify({ anonymousId: `${tag}-g`, traits: { email: `rudder-${tag}@example.com` } }, done);
  client.track({ anonymousId: `${tag}-g`, event: 'Product Viewed' }, done);
  client.page({ anonymousId: `${tag}-g`, name: 'Pricing' }, done);
  await client.flush();
  // Calls queued behind an earlier flush finish after flush() resolves: wait for every answer, bounded.
  for (const deadline = Date.now() + requestTimeoutMs; statuses.length < 3 && Date.now() < deadline; ) await sleep(50);
  record('g', 'statuses of identify, track, page (gzip)', 'g_max_status', Math.max(...statuses, 0), statuses.join(', ') || 'none');
}

await local.stop();
const width = [4, Math.max(...rows.map((r) => r[1].length)), 0];
console.log(`\nhostile traffic against local mode (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
console.log(`${'case'.padEnd(width[0]!)}  ${'measured'.padEnd(width[1]!)}  figure`);
for (const [kase, what, shown] of rows) console.log(`${kase.padEnd(width[0]!)}  ${what.padEnd(width[1]!)}  ${shown}`);
saveResults('hostile', figures);

/** An item's size by DynamoDB's rules: attribute names plus values (numbers ≈ digits / 2 + 1). */
function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x), 0);
  if (v.NS) return v.NS.reduce((s, x) => s + Math.ceil(x.length / 2) + 1, 0);
  if (v.L) return 3 + v.L.reduce((s, x) => s + 1 + valueSize(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueSize(x), 0);
  return 0;
}
