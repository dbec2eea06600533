/**
 * Scoring benchmark (issue: identity resolution and lead scoring). Not a test: prints figures.
 *
 *   npm run bench:scoring [-- --visitors 10000 --events 30000]
 *
 * 1. Throughput and cost: a realistic mix (70% page views, 20% heartbeats, 5% identify, 5% email and
 *    business events) over N visitors, in Kinesis-sized batches of 100 interleaved sessions, through the
 *    stream processor against local DynamoDB (dynalite). Prints DynamoDB write and read requests per
 *    event and events/s, with a baseline measured in the same run: one bare UpdateItem per event.
 * 2. Latency: beacons posted to the local API (npm start's whole path: HTTP → collect → Kinesis → poller
 *    → processor → DynamoDB → bus) until the scored event reaches the bus; p50/p95.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import type { CollectedEvent } from '../functions/ingest/domain/enrich.js';
import { DynamoLinkStore } from '../functions/identity/adapters/dynamo-link-store.js';
import { identify } from '../functions/identity/domain/identify.js';
import { ProfileStore } from '../functions/profiles/adapters/profile-store.js';
import { rankPartition } from '../functions/profiles/domain/profile.js';
import { SetAsideStore } from '../functions/scoring/adapters/set-aside-store.js';
import { parseRules } from '../functions/scoring/domain/rules.js';
import { type Outbox, processBatch, type ProcessorPorts, type StreamEvent } from '../functions/scoring/domain/process-batch.js';
import { startEmulators } from '../local/emulators/start.js';
import { localAwsEnv, provision } from '../local/runtime/provision.js';
import { startLocal } from '../local/runtime/runtime.js';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { FirehoseLake } from '../functions/analytics/adapters/firehose-lake.js';
import { LocalFirehose } from '../local/emulators/firehose.js';
import { loadResults } from '../cli/bench-results.js';
import { countIndexWrites } from './lib/index-writes.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({
  options: {
    visitors: { type: 'string', default: '10000' },
    events: { type: 'string', default: '30000' },
    beacons: { type: 'string', default: '200' },
  },
});
const visitors = Math.min(100_000, Number(values.visitors));
const totalEvents = Math.min(300_000, Number(values.events));
const beacons = Math.min(2_000, Number(values.beacons));

const rules = parseRules(readFileSync('templates/rules/scoring.yaml', 'utf8'));
const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const pages = ['/', '/products.html', '/products/insight.html', '/products/pulse.html', '/products/forecast.html', '/pricing.html', '/faq.html', '/contact.html'];

/** A Kinesis-like interleaving: ~300 visitors active at a time, each emitting its session's next event. */
function workload(): CollectedEvent[] {
  const out: CollectedEvent[] = [];
  const t0 = Date.now() - 3_600_000;
  let clock = 0;
  const active: { id: string; left: number; path: string; identified: boolean }[] = [];
  let nextVisitor = 0;
  while (out.length < totalEvents) {
    while (active.length < 300 && nextVisitor < visitors) {
      active.push({ id: `bench-visitor-${nextVisitor++}`, left: Math.max(1, Math.round((totalEvents / visitors) * (0.5 + Math.random()))), path: '/', identified: false });
    }
    if (active.length === 0) {
      nextVisitor = 0; // everyone had a session: returning visitors start another
      continue;
    }
    const i = Math.floor(Math.random() * active.length);
    const v = active[i]!;
    const r = Math.random();
    const at = new Date(t0 + (clock += 50)).toISOString();
    const base = { messageId: randomUUID(), anonymousId: v.id, timestamp: at, receivedAt: at, source: 'bench', context: { userAgent: ua } as Record<string, unknown> };
    let e: CollectedEvent;
    if (r < 0.7) {
      v.path = pages[Math.floor(Math.random() * pages.length)]!;
      e = { ...base, type: 'page', context: { ...base.context, page: { path: v.path, url: `https://www.example.com${v.path}` } }, nurture: { v: 1, bot: false } };
    } else if (r < 0.9) {
      e = { ...base, type: 'track', event: 'Page Ping', properties: { seconds: 15, path: v.path }, nurture: { v: 1, bot: false } };
    } else if (r < 0.95) {
      e = { ...base, type: 'identify', traits: { email: `${v.id}@example.com`, company: 'Example' }, nurture: { v: 1, bot: false } };
      v.identified = true;
    } else {
      const name = ['Email Opened', 'Email Link Clicked', 'Form Submitted', 'Order Completed'][Math.floor(Math.random() * 4)]!;
      e = { ...base, type: 'track', event: name, properties: { formId: 'contact' }, nurture: { v: 1, bot: false } };
    }
    out.push(e);
    if (--v.left <= 0) active.splice(i, 1);
  }
  return out;
}

function counted(endpoint: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const counts = { reads: 0, writes: 0, writeUnits: 0, readUnits: 0, indexWrites: 0, indexWriteUnits: 0 };
  const client = new DynamoDBClient({ endpoint, region, credentials });
  countIndexWrites(client, counts);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const isWrite = /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(name);
      if (isWrite) counts.writes++;
      else if (/^(Get|BatchGet|Query|Scan|TransactGet)/.test(name)) counts.reads++;
      // Ask for the capacity each request consumed (table only: dynalite does not charge index writes).
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      if (isWrite) counts.writeUnits += units;
      else counts.readUnits += units;
      return result;
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), counts };
}

// ---- 1. throughput and requests per event ---------------------------------------------------------
const s3Dir = mkdtempSync(join(tmpdir(), 'nurture-bench-'));
const emu = await startEmulators({ ports: { dynamodb: 0, kinesis: 0, s3: 0, ses: 0 }, s3Dir });
await provision(emu);
const env = localAwsEnv(emu);
const events = workload();
console.log(`workload: ${events.length} events over ${visitors} visitors`);

// Baseline: the same number of single-attribute UpdateItem requests, at the processor's concurrency.
{
  const { doc } = counted(emu.endpoints.dynamodb, emu.region, emu.credentials);
  const n = Math.min(events.length, 10_000);
  const started = performance.now();
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, (_, j) =>
        doc.send(new UpdateCommand({ TableName: env.TABLE_NAME, Key: { pk: `bench#${(i + j) % 5000}`, sk: 'x' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } })),
      ),
    );
  }
  var baselinePerSecond = n / ((performance.now() - started) / 1000);
}

const { doc, counts } = counted(emu.endpoints.dynamodb, emu.region, emu.credentials);
const links = new DynamoLinkStore(doc, env.TABLE_NAME!);
const store = new ProfileStore<Outbox>(doc, env.TABLE_NAME!);
let published = 0;
// The lake as local mode writes it (the local Firehose stand-in), so the processor's time includes it.
const lakeDir = mkdtempSync(join(tmpdir(), 'nurture-bench-lake-'));
const firehose = new LocalFirehose({ lakeDir, streams: { 'bench-events': 'events', 'bench-identity': 'identity' } });
const firehoseUrl = await firehose.listen(0);
const firehoseClient = new FirehoseClient({ endpoint: firehoseUrl, region: emu.region, credentials: emu.credentials });
const ports: ProcessorPorts = {
  lake: new FirehoseLake(firehoseClient, { events: 'bench-events', identity: 'bench-identity' }),
  // As the deployed processor: eventually consistent link reads (functions/scoring/process.ts).
  links: new DynamoLinkStore(doc, env.TABLE_NAME!, false),
  identify: (call) => identify(call, links),
  profiles: store,
  rankPartition,
  setAside: (record) => new SetAsideStore(doc, env.TABLE_NAME!).put(record),
  publish: async (e) => {
    published += e.length;
  },
  rules: async () => rules,
  now: () => new Date(),
};

// Collect's synchronous identity links for identify calls, counted apart (they are ingest's cost).
const collectCounts = counted(emu.endpoints.dynamodb, emu.region, emu.credentials);
const collectLinks = new DynamoLinkStore(collectCounts.doc, env.TABLE_NAME!);
for (const e of events) {
  if (e.type !== 'identify') continue;
  const r = await identify({ anonymousId: e.anonymousId!, email: e.traits?.email, at: e.timestamp }, collectLinks);
  if (r) {
    e.nurture.profileId = r.profileId;
    if (r.mergeFrom.length) e.nurture.mergeFrom = r.mergeFrom;
  }
}

let seq = 0n;
const started = performance.now();
for (let i = 0; i < events.length; i += 100) {
  const batch: StreamEvent[] = events.slice(i, i + 100).map((event) => ({ event, seq: String(49_000_000_000_000_000_000n + ++seq), shard: 'shardId-000000000000' }));
  const r = await processBatch(batch, ports);
  if (r.failed.length) throw new Error(`failed records: ${r.failed.length}`);
}
const seconds = (performance.now() - started) / 1000;
const eps = events.length / seconds;
await emu.stop();
firehoseClient.destroy();
await firehose.close();
rmSync(s3Dir, { recursive: true, force: true });
rmSync(lakeDir, { recursive: true, force: true });

console.log('\nStream processor against local DynamoDB (batches of 100)');
console.log(`DynamoDB write requests per event: ${(counts.writes / events.length).toFixed(3)} (target ≤ 1.2) ${counts.writes / events.length <= 1.2 ? 'OK' : 'MISSED'}`);
console.log(`DynamoDB read requests per event:  ${(counts.reads / events.length).toFixed(3)} (BatchGetItem counts once per call)`);
// The figures of the last run, to print beside this one's.
const before = loadResults('scoring')?.figures;
const per = (n: number) => n / events.length;
const was = (k: string, digits = 2) => (before?.[k] === undefined ? 'not measured' : before[k]!.toFixed(digits));
console.log(`DynamoDB write units per event, table: ${per(counts.writeUnits).toFixed(2)} (before: ${was('writeUnitsPerEvent')}); read units per event: ${per(counts.readUnits).toFixed(2)}`);
console.log(`DynamoDB write units per event, ranking index (modelled, bench/lib/index-writes.ts): ${per(counts.indexWriteUnits).toFixed(2)} (before: ${was('indexWriteUnitsPerEvent')}; the old cost model assumed 1 per update)`);
const totalUnits = per(counts.writeUnits + counts.indexWriteUnits);
console.log(`DynamoDB write units per event, table and index: ${totalUnits.toFixed(2)} (target ≤ 1.2) ${totalUnits <= 1.2 ? 'OK' : 'MISSED'}`);
console.log(`collect's identity-link requests per identify: ${(collectCounts.counts.writes / events.filter((e) => e.type === 'identify').length).toFixed(2)} writes, ${(collectCounts.counts.reads / events.filter((e) => e.type === 'identify').length).toFixed(2)} reads`);
console.log(`events/s: ${eps.toFixed(0)}; baseline bare UpdateItem/s at the same concurrency: ${baselinePerSecond!.toFixed(0)}; ratio ${(eps / baselinePerSecond!).toFixed(2)}`);
console.log(`domain events published: ${published} (${(published / events.length).toFixed(3)} per event)`);
const identifies = events.filter((e) => e.type === 'identify').length;
const itemBytes = events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0) / events.length;

// ---- 2. beacon-to-score latency through the whole local path ------------------------------------
const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0 }, pollIdleMs: 200 });
const sentAt = new Map<string, number>();
const latencies: number[] = [];
local.bus.onEvent((e) => {
  const t = sentAt.get(String(e.detail.messageId));
  if (t !== undefined) latencies.push(performance.now() - t);
});
const auth = { authorization: `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}` };
for (let i = 0; i < beacons; i++) {
  const messageId = `latency-${i}`;
  sentAt.set(messageId, performance.now());
  await fetch(`${local.apiUrl}/v1/track`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ anonymousId: `latency-visitor-${i % 50}`, messageId, event: 'Email Link Clicked', context: { userAgent: ua } }),
  });
  await new Promise((r) => setTimeout(r, 20));
}
const deadline = Date.now() + 15_000;
while (latencies.length < beacons && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
await local.stop();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
console.log(`\nBeacon-to-score latency, whole local path (${latencies.length}/${beacons} beacons, poller idle wait 200 ms)`);
console.log(`p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms (target p95 ≤ 1000 ms) ${pct(95) <= 1000 ? 'OK' : 'MISSED'}`);

saveResults('scoring', {
  writeRequestsPerEvent: counts.writes / events.length,
  readRequestsPerEvent: counts.reads / events.length,
  writeUnitsPerEvent: counts.writeUnits / events.length,
  indexWriteUnitsPerEvent: counts.indexWriteUnits / events.length,
  readUnitsPerEvent: counts.readUnits / events.length,
  linkWriteUnitsPerIdentify: collectCounts.counts.writeUnits / identifies,
  linkReadUnitsPerIdentify: collectCounts.counts.readUnits / identifies,
  identifyShare: identifies / events.length,
  busEventsPerEvent: published / events.length,
  processorMsPerEvent: 1000 / eps,
  streamRecordBytes: itemBytes,
  latencyP50Ms: pct(50),
  latencyP95Ms: pct(95),
});
