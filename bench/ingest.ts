/**
 * Ingest benchmark (issue: foundation). Not a test: prints figures.
 *
 *   npm run bench:ingest [-- --seconds 3 --concurrency 32]
 *
 * Each target runs in its own child process (one core for the server, one for this load generator) and
 * is measured in the same run as the baseline, so the ratio holds on any machine:
 * - bare node:http answering 204: the ceiling of a Node HTTP service here;
 * - collect with Kinesis/DynamoDB answered in-process: Nurture's own request path (target ratio ≥ 0.3);
 * - collect against the local emulators (kinesalite, dynalite), as `npm start` runs it.
 * Plus the tracker's size (target ≤ 3 KB min+gzip) and the collect bundle (target ≤ 150 KB).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { trackerSize } from '../tracker/size.js';
import { functionBundleSizes } from './lib/bundles.js';
import { load, type LoadResult } from './lib/load.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '32' } },
});
const seconds = Math.min(30, Number(values.seconds));
const concurrency = Math.min(256, Number(values.concurrency));

async function server(mode: string): Promise<{ child: ChildProcess; url: string; writeKey: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/ingest-server.ts', mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${mode} server not ready: ${out}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+) (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, writeKey: m[2]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
}

async function stop(child: ChildProcess) {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

let n = 0;
const event = (i: number) => ({
  type: 'track',
  event: 'Product Viewed',
  anonymousId: `visitor-${i % 1000}`,
  messageId: `bench-${process.pid}-${i}`,
  timestamp: new Date().toISOString(),
  properties: { product_id: `sku-${i % 50}`, price: 49, currency: 'USD' },
  context: {
    page: { path: '/products/insight.html', url: 'https://www.example.com/products/insight.html?utm_source=news' },
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  },
});
// Bodies are prepared up front so the load generator spends its core on HTTP, not on JSON.stringify.
const pool = (make: () => string, size = 2000) => {
  const bodies = Array.from({ length: size }, make);
  let i = 0;
  return () => bodies[i++ % size]!;
};
const oneEvent = pool(() => JSON.stringify(event(n++)));
const twentyEvents = pool(() =>
  JSON.stringify({ batch: Array.from({ length: 20 }, () => event(n++)), sentAt: new Date().toISOString() }),
);

async function measure(mode: string, path: string, body: () => string): Promise<LoadResult> {
  const s = await server(mode);
  try {
    const headers = { authorization: `Basic ${Buffer.from(`${s.writeKey}:`).toString('base64')}`, 'content-type': 'text/plain' };
    // Warm up (JIT, connections) before the measured window.
    await load({ url: `${s.url}${path}`, method: 'POST', headers, body, seconds: 0.5, concurrency });
    const r = await load({ url: `${s.url}${path}`, method: 'POST', headers, body, seconds, concurrency });
    const ok = (r.statuses[200] ?? 0) + (r.statuses[204] ?? 0);
    if (ok !== r.requests || r.errors > 0) throw new Error(`${mode} ${path}: ${JSON.stringify(r.statuses)} errors ${r.errors}`);
    return r;
  } finally {
    await stop(s.child);
  }
}

const fmt = (x: number) => x.toFixed(0).padStart(8);
const bare = await measure('bare', '/', oneEvent);
const inOne = await measure('inproc', '/v1/track', oneEvent);
const inBatch = await measure('inproc', '/v1/batch', twentyEvents);
const emuOne = await measure('emulators', '/v1/track', oneEvent);
const emuBatch = await measure('emulators', '/v1/batch', twentyEvents);

console.log(`\nIngest throughput (${seconds} s per target, ${concurrency} connections, loopback)`);
console.log('target                                        req/s   events/s   ratio to bare');
console.log(`bare node:http 204                         ${fmt(bare.perSecond)}   ${fmt(bare.perSecond)}   1.00`);
const row = (label: string, r: LoadResult, events: number) =>
  console.log(
    `${label.padEnd(43)}${fmt(r.perSecond)}   ${fmt(r.perSecond * events)}   ${(r.perSecond / bare.perSecond).toFixed(2)}`,
  );
row('collect, 1 event (AWS calls in-process)', inOne, 1);
row('collect, 20-event batch (in-process)', inBatch, 20);
row('collect, 1 event (local emulators)', emuOne, 1);
row('collect, 20-event batch (local emulators)', emuBatch, 20);
const ratio = inOne.perSecond / bare.perSecond;
console.log(`one-event ratio: ${ratio.toFixed(2)} (target ≥ 0.30) ${ratio >= 0.3 ? 'OK' : 'MISSED'}`);

const tracker = await trackerSize();
console.log(`\ntracker: ${tracker.minBytes} B minified, ${tracker.gzipBytes} B min+gzip (target ≤ 3072) ${tracker.gzipBytes <= 3072 ? 'OK' : 'MISSED'}`);
const bundles = functionBundleSizes();
for (const b of bundles) {
  const target = /Collect/.test(b.fn) ? ` (target ≤ 150 KB) ${b.bytes <= 150 * 1024 ? 'OK' : 'MISSED'}` : '';
  console.log(`bundle ${b.fn.padEnd(36)} ${(b.bytes / 1024).toFixed(1).padStart(7)} KB, ${(b.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzip${target}`);
}

saveResults('ingest', {
  bareRequestsPerSecond: bare.perSecond,
  collectOneEventPerSecond: inOne.perSecond,
  collectBatchPerSecond: inBatch.perSecond,
  oneEventRatio: ratio,
  // CPU time of collect per request on one core, in-process AWS calls: the Lambda duration model's basis.
  collectCpuMsPerRequest: 1000 / inOne.perSecond,
  collectCpuMsPer20EventBatch: 1000 / inBatch.perSecond,
  trackerGzipBytes: tracker.gzipBytes,
  collectBundleKb: (bundles.find((b) => /Collect/.test(b.fn))?.bytes ?? Number.NaN) / 1024,
});
