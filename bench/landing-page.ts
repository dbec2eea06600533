/**
 * Landing page benchmark (issue 15). Not a test: prints figures.
 *
 *   npm run bench:landing-page [-- --requests 200]
 *
 * Starts local mode (ephemeral ports), which seeds the demo brochure form and page from templates/ and
 * checks them as the upload check does, then prints the weight of `/p/brochure` (its own HTML with inline
 * CSS and JS, plus nurture.min.js it loads; raw and gzip) and the time to first byte, p50/p95, over
 * sequential requests with a `nurture_aid` cookie, through local mode's API server to the `forms`
 * function (its IAM role checked on every call; each request a fresh render: token, view counters).
 * Baseline measured in the same run: the demo site's static file server answering nurture.min.js, so the
 * ratio is what rendering a page costs over serving bytes from the same machine. Then `--submissions`
 * form posts. The `forms` function's DynamoDB units and wall time per view and per submission (metered
 * through local mode's IAM proxies) go to bench/results/landing-page.json for `nurture cost`.
 */
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { S3FormsContent } from '../functions/forms/adapters/s3-content.js';
import type { PageCheckReport } from '../functions/forms/domain/reports.js';
import { pageCheckKey } from '../functions/forms/domain/reports.js';
import { s3Client } from '../functions/shared/aws/s3.js';
import { dynamoWriteOperations, startMetering } from '../local/iam/meter.js';
import { startLocal } from '../local/runtime/runtime.js';
import { saveResults } from './lib/results.js';
import { bundleTracker } from '../tracker/size.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' }, submissions: { type: 'string', default: '20' } } });
const requests = Math.min(5_000, Number(values.requests));
// Every local request comes from 127.0.0.1: the rate limit (20 a network in 10 minutes) bounds the run.
const submissions = Math.min(20, Number(values.submissions));

/** What the forms function did while metering: DynamoDB units and invocation wall time. */
const metered = { wru: 0, rru: 0, ms: 0, invocations: 0 };
const stopMetering = startMetering({
  exchange(e) {
    if (e.principal !== 'forms' || e.service !== 'dynamodb') return;
    if (dynamoWriteOperations.has(e.operation)) metered.wru += e.capacityUnits ?? 0;
    else metered.rru += e.capacityUnits ?? 0;
  },
  invocation(i) {
    if (i.name !== 'forms') return;
    metered.ms += i.ms;
    metered.invocations++;
  },
});
const meteredSince = () => {
  const start = { ...metered };
  return () => ({ wru: metered.wru - start.wru, rru: metered.rru - start.rru, ms: metered.ms - start.ms, invocations: metered.invocations - start.invocations });
};

const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 200 });
const trackerJs = await bundleTracker();
const content = new S3FormsContent(s3Client(), local.env.CONTENT_BUCKET!, 0);
const report = await content.json<PageCheckReport>(pageCheckKey('brochure'));
if (!report?.ok) throw new Error(`the seeded demo page failed its check: ${JSON.stringify(report?.errors)}`);

/** Milliseconds to the first byte of the answer, and the body. */
function ttfb(url: string, headers: Record<string, string>): Promise<{ ms: number; body: string; status: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(url, { headers, agent: false }, (res) => {
      let ms = 0;
      const chunks: Buffer[] = [];
      res.once('data', () => (ms = performance.now() - t));
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ms, body: Buffer.concat(chunks).toString('utf8'), status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const visitor = { 'user-agent': ua, cookie: `nurture_aid=${randomUUID()}` };
for (let i = 0; i < 20; i++) await ttfb(`${local.apiUrl}/p/brochure`, visitor); // warm-up: handler load, connections
const page: number[] = [];
const baseline: number[] = [];
let html = '';
const views = meteredSince();
for (let i = 0; i < requests; i++) {
  const r = await ttfb(`${local.apiUrl}/p/brochure?utm_source=bench`, visitor);
  if (r.status !== 200) throw new Error(`status ${r.status}`);
  page.push(r.ms);
  html = r.body;
}
const perView = views();
for (let i = 0; i < requests; i++) baseline.push((await ttfb(`${local.siteUrl}/nurture.min.js`, visitor)).ms);

// Submissions: tokens fetched first, posted once a person's fill time has passed, each from its own visitor.
const tokens: string[] = [];
for (let i = 0; i < submissions; i++) {
  const res = await fetch(`${local.apiUrl}/v1/forms/brochure?lang=ja`, { headers: { 'user-agent': ua } });
  tokens.push(((await res.json()) as { token: string }).token);
}
await new Promise((r) => setTimeout(r, 3_300));
const posts = meteredSince();
for (let i = 0; i < submissions; i++) {
  const res = await fetch(`${local.apiUrl}/v1/forms/brochure/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify({ name: `Bench ${i}`, email: `bench-${i}@example.com`, '_consent.newsletter': true, _token: tokens[i], _sid: randomUUID(), _aid: randomUUID() }),
  });
  if (res.status !== 200) throw new Error(`submission ${i}: ${res.status} ${await res.text()}`);
}
const perPost = posts();
stopMetering();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const inline = (re: RegExp) => [...html.matchAll(re)].reduce((n, m) => n + Buffer.byteLength(m[1]!), 0);
const own = Buffer.byteLength(html);
const total = own + Buffer.byteLength(trackerJs);
console.log(`Landing page /p/brochure (${requests} sequential requests through the local API, IAM check as forms)`);
console.log(`  page HTML ${kb(own)} raw, ${kb(gzipSync(html).length)} gzip (inline CSS ${kb(inline(/<style>([\s\S]*?)<\/style>/g))}, inline JS ${kb(inline(/<script>([\s\S]*?)<\/script>/g))})`);
console.log(`  + nurture.min.js ${kb(Buffer.byteLength(trackerJs))} raw, ${kb(gzipSync(trackerJs).length)} gzip → ${kb(total)} raw, ${kb(gzipSync(html).length + gzipSync(trackerJs).length)} gzip in all`);
const [p50, p95, b50, b95] = [pct(page, 50), pct(page, 95), pct(baseline, 50), pct(baseline, 95)];
console.log(`  TTFB p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
console.log(`  baseline (static nurture.min.js from the demo site server) p50 ${b50.toFixed(2)} ms, p95 ${b95.toFixed(2)} ms → page/static ${(p50 / b50).toFixed(1)}× at p50, ${(p95 / b95).toFixed(1)}× at p95`);
const per = (m: typeof perView, n: number) => ({ ms: m.invocations ? m.ms / m.invocations : 0, wru: m.wru / n, rru: m.rru / n });
const [v, sub] = [per(perView, requests), per(perPost, submissions)];
console.log(`  forms function per view: ${v.ms.toFixed(1)} ms, ${v.wru.toFixed(2)} write and ${v.rru.toFixed(2)} read units`);
console.log(`  per submission (${submissions}): ${sub.ms.toFixed(1)} ms, ${sub.wru.toFixed(2)} write and ${sub.rru.toFixed(2)} read units`);
saveResults('landing-page', {
  pageTtfbP50Ms: p50,
  pageTtfbP95Ms: p95,
  staticTtfbP50Ms: b50,
  pageGzipBytes: gzipSync(html).length,
  pageViewMs: v.ms,
  pageViewWriteUnits: v.wru,
  pageViewReadUnits: v.rru,
  submissionMs: sub.ms,
  submissionWriteUnits: sub.wru,
  submissionReadUnits: sub.rru,
});
await local.stop();
