/**
 * Landing page benchmark (issue 15). Not a test: prints figures.
 *
 *   npm run bench:landing-page [-- --requests 200]
 *
 * Starts local mode (ephemeral ports; templates/ seeds pages/layouts and the demo page), publishes the
 * demo brochure form and page, then prints the weight of `/p/brochure` (its own HTML with inline CSS and
 * JS, plus nurture.min.js it loads; raw and gzip) and the time to first byte, p50/p95, over sequential
 * requests with the `nurture_aid` cookie (each one a fresh render: token, counters). Baseline measured in
 * the same run through the same HTTP server: a static file answered from memory (tracker/dist/
 * nurture.min.js), so the ratio is what rendering a page costs over serving bytes.
 *
 * The page is served by the `forms` function's handler (functions/forms/page-routes.ts) behind a small
 * HTTP server of this bench, through local mode's emulators and IAM check (as `forms` once infra grants it).
 */
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { checkStoredPage } from '../functions/forms/adapters/page-checker.js';
import { pagePortsFromEnv } from '../functions/forms/adapters/page-ports.js';
import { S3FormsContent } from '../functions/forms/adapters/s3-content.js';
import { formDefinitionSchema, type FormDefinition } from '../functions/forms/domain/definition.js';
import { formCheckKey } from '../functions/forms/domain/reports.js';
import { pageRoutes } from '../functions/forms/page-routes.js';
import { s3Client } from '../functions/shared/aws/s3.js';
import { httpFunction } from '../functions/shared/http-function.js';
import type { HttpResult } from '../functions/shared/http.js';
import { checkSchema, readYaml } from '../functions/shared/validation.js';
import { asFunction } from '../local/iam/index.js';
import { startLocal } from '../local/runtime/runtime.js';
import { bundleTracker } from '../tracker/size.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' } } });
const requests = Math.min(5_000, Number(values.requests));
const demoFile = (rel: string) => readFileSync(new URL(`../templates/${rel}`, import.meta.url), 'utf8');

const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 200 });
const trackerJs = await bundleTracker();
process.env.PUBLIC_API_URL ??= local.apiUrl;
process.env.PAGES_WRITE_KEY = local.secrets.writeKey;
process.env.TRACKER_SCRIPT_URL = `${local.siteUrl}/nurture.min.js`;

// The two files a marketer uploads. The form's report stands in for the forms check (same schema).
const content = new S3FormsContent(s3Client(), local.env.CONTENT_BUCKET!, 0);
const formYaml = demoFile('forms/brochure.yaml');
const read = readYaml(formYaml);
const checked = checkSchema(formDefinitionSchema, read.value, read.yaml);
if (!checked.data) throw new Error(`demo form fails: ${JSON.stringify(checked.problems)}`);
const form = { ...checked.data, id: 'brochure', locale: checked.data.locale ?? 'ja', consents: checked.data.consents ?? [], submit: checked.data.submit ?? {}, version: 'bench' } as FormDefinition;
await content.put('forms/brochure.yaml', formYaml, 'text/yaml');
await content.put(formCheckKey('brochure'), JSON.stringify({ formId: 'brochure', source: 'brochure.yaml', ok: true, checkedAt: new Date().toISOString(), errors: [], warnings: [], form }), 'application/json');
await content.put('pages/brochure.liquid', demoFile('pages/brochure.liquid'), 'text/plain');
const report = await checkStoredPage(content, 'pages/brochure.liquid');
if (!report.ok) throw new Error(`demo page fails its check: ${JSON.stringify(report.errors)}`);

const granted = Boolean(local.iam.policies?.principals.forms);
const run = <T>(f: () => T): T => (granted ? asFunction('forms', f)() : f());
const handler = httpFunction('forms', pageRoutes, await run(pagePortsFromEnv));
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  if (url.pathname === '/nurture.min.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(trackerJs);
    return;
  }
  const slug = url.pathname.replace(/^\/p\//, '');
  const event = {
    version: '2.0',
    routeKey: 'GET /p/{slug}',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    pathParameters: { slug },
    queryStringParameters: Object.fromEntries(url.searchParams),
    requestContext: { http: { method: 'GET', path: url.pathname, sourceIp: '127.0.0.1', userAgent: String(req.headers['user-agent']) } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  void run(() => handler(event, {} as Context) as Promise<HttpResult>).then((r) => res.writeHead(r.statusCode, r.headers).end(r.body));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

/** Milliseconds to the first byte of the answer, and the body. */
function ttfb(path: string, headers: Record<string, string>): Promise<{ ms: number; body: string; status: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
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
for (let i = 0; i < 20; i++) await ttfb('/p/brochure', visitor); // warm-up: handler load, connections
const page: number[] = [];
const baseline: number[] = [];
let html = '';
for (let i = 0; i < requests; i++) {
  const r = await ttfb('/p/brochure?utm_source=bench', visitor);
  if (r.status !== 200) throw new Error(`status ${r.status}`);
  page.push(r.ms);
  html = r.body;
}
for (let i = 0; i < requests; i++) baseline.push((await ttfb('/nurture.min.js', visitor)).ms);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const inline = (re: RegExp) => [...html.matchAll(re)].reduce((n, m) => n + Buffer.byteLength(m[1]!), 0);
const own = Buffer.byteLength(html);
const total = own + Buffer.byteLength(trackerJs);
console.log(`Landing page /p/brochure (${requests} sequential requests, IAM check ${granted ? 'as forms' : 'without a forms role yet'})`);
console.log(`  page HTML ${kb(own)} raw, ${kb(gzipSync(html).length)} gzip (inline CSS ${kb(inline(/<style>([\s\S]*?)<\/style>/g))}, inline JS ${kb(inline(/<script>([\s\S]*?)<\/script>/g))})`);
console.log(`  + nurture.min.js ${kb(Buffer.byteLength(trackerJs))} raw, ${kb(gzipSync(trackerJs).length)} gzip → ${kb(total)} raw, ${kb(gzipSync(html).length + gzipSync(trackerJs).length)} gzip in all`);
const [p50, p95, b50, b95] = [pct(page, 50), pct(page, 95), pct(baseline, 50), pct(baseline, 95)];
console.log(`  TTFB p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
console.log(`  baseline (static nurture.min.js, same server) p50 ${b50.toFixed(2)} ms, p95 ${b95.toFixed(2)} ms → page/static ${(p50 / b50).toFixed(1)}× at p50, ${(p95 / b95).toFixed(1)}× at p95`);
server.close();
await local.stop();
