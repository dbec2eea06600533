/**
 * The lake's write side for bench/analytics.ts: events rows made the way the stream processor makes them
 * (tracker-shaped Segment messages → ingest's `enrich` → lake-rows.ts `eventRow`), their NDJSON size, and
 * the rate at which local mode writes them: `FirehoseLake` → `LocalFirehose` (PutRecordBatch over HTTP) →
 * Parquet, against DuckDB writing the same rows straight from one NDJSON file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FirehoseLake } from '../../functions/analytics/adapters/firehose-lake.js';
import { type EventRow, lakeTables, partitionColumn } from '../../functions/analytics/domain/lake.js';
import { eventRow } from '../../functions/analytics/domain/lake-rows.js';
import { enrich } from '../../functions/ingest/domain/enrich.js';
import type { SegmentMessage } from '../../functions/ingest/domain/schema.js';
import { LocalFirehose } from '../../local/emulators/firehose.js';
import { knownShare, lakeMonth, sitePaths } from './large-lake.js';

/** Events the stream processor hands the lake per Kinesis batch (its batch size). */
export const processorBatchEvents = 100;

const agents = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
];
const referrers = ['https://www.google.com/', 'https://www.bing.com/', 'https://t.co/x1', 'https://www.linkedin.com/feed/', 'https://blog7.example.net/post'];
const site = 'https://www.example.com';

/** A small seeded generator (mulberry32), so the rows are the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * About `n` events rows of sessions in the mix large-lake.ts describes (views with heartbeats, forms, orders,
 * campaigns, referrers, some people identifying), each enriched as ingest does and made a row as the
 * processor does.
 */
export function collectedRows(n: number): EventRow[] {
  const rnd = random(11);
  const rows: EventRow[] = [];
  const meta = (at: Date) => ({ receivedAt: new Date(at.getTime() + 400), writeKey: 'bench', sourceIp: '203.0.113.7' });
  for (let s = 0; rows.length < n; s++) {
    const person = Math.floor(rnd() * n);
    const anonymousId = randomUUID();
    const known = rnd() < knownShare;
    const ch = rnd();
    const campaign = ch >= 0.91 ? { source: 'google', medium: 'cpc', name: 'generic', term: 'lead scoring' } : ch >= 0.81 ? { source: 'newsletter', medium: 'email', name: 'spring-sale', content: 'cta-top' } : undefined;
    const externalReferrer = ch < 0.38 ? '' : referrers[Math.floor(rnd() * referrers.length)]!;
    const userAgent = agents[person % agents.length]!;
    let t = lakeMonth.startMs + Math.floor(rnd() * lakeMonth.days * 86_400_000);
    let previous = externalReferrer;
    const views = Math.min(15, 1 + Math.floor(-Math.log(1 - rnd()) * 2));
    for (let j = 0; j < views && rows.length < n; j++) {
      const path = sitePaths[Math.floor(sitePaths.length * rnd() ** 1.8)]!;
      const search = campaign && j === 0 ? `?utm_source=${campaign.source}&utm_medium=${campaign.medium}&utm_campaign=${campaign.name}` : '';
      const page = { path, referrer: previous, search, title: `Example — ${path}`, url: `${site}${path}${search}` };
      previous = `${site}${path}`;
      const context = { page, userAgent, locale: 'en-US', timezone: 'Europe/Berlin', screen: { width: 1440, height: 900 }, library: { name: 'nurture.js', version: '1.0.0' }, ...(campaign ? { campaign } : {}) };
      const ids = { anonymousId, ...(known && j > 0 ? { userId: `user-${String(person).padStart(7, '0')}` } : {}) };
      const emit = (m: Record<string, unknown>, offset: number) => {
        const at = new Date(t + offset);
        const e = enrich({ ...ids, messageId: randomUUID(), timestamp: at.toISOString(), context, ...m } as unknown as SegmentMessage, meta(at));
        rows.push(eventRow(e, `p_${anonymousId.replaceAll('-', '').slice(0, 22)}`));
      };
      emit({ type: 'page', properties: { ...page } }, 0);
      const pings = Math.floor(rnd() * 7);
      for (let r = 1; r <= pings; r++) emit({ type: 'track', event: 'Page Ping', properties: { seconds: 15, path } }, r * 15_000);
      if (path === '/checkout/complete') emit({ type: 'track', event: 'Order Completed', properties: { orderId: `o-${s}-${j}`, revenue: 20 + Math.floor(rnd() * 480), currency: 'USD', path } }, 100_000);
      else if (path === '/contact' && rnd() < 0.4) emit({ type: 'track', event: 'Form Submitted', properties: { form: 'contact', path } }, 100_000);
      if (known && j === 0) emit({ type: 'identify', traits: { email: `person${person}@example.com`, firstName: 'Ada' } }, 110_000);
      t += 120_000;
    }
  }
  return rows;
}

/** Mean bytes of one row as the processor sends it to Firehose: its JSON and the newline. */
export const meanNdjsonBytes = (rows: readonly EventRow[]) => rows.reduce((n, r) => n + Buffer.byteLength(`${JSON.stringify(r)}\n`), 0) / rows.length;

export interface WriteRates {
  rows: number;
  /** Rows per second through FirehoseLake → LocalFirehose → Parquet. */
  localRowsPerSecond: number;
  /** Rows per second DuckDB writes the same rows from one NDJSON file to Parquet partitions. */
  baselineRowsPerSecond: number;
}

/** Writes `rows` through local mode's lake path, then straight with DuckDB, each into a fresh folder. */
export async function measureWrites(conn: DuckDBConnection, rows: readonly EventRow[]): Promise<WriteRates> {
  const dir = mkdtempSync(join(tmpdir(), 'nurture-bench-writes-'));
  try {
    const firehose = new LocalFirehose({ lakeDir: join(dir, 'local'), streams: { 'bench-events': 'events', 'bench-identity': 'identity' } });
    const client = new FirehoseClient({ endpoint: await firehose.listen(0), region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const lake = new FirehoseLake(client, { events: 'bench-events', identity: 'bench-identity' });
    const started = performance.now();
    for (let i = 0; i < rows.length; i += processorBatchEvents) await lake.events(rows.slice(i, i + processorBatchEvents));
    await firehose.close();
    const localSeconds = (performance.now() - started) / 1000;
    client.destroy();
    if (firehose.files.rowsWritten !== rows.length) throw new Error(`the local Firehose wrote ${firehose.files.rowsWritten} of ${rows.length} rows`);

    const file = join(dir, 'rows.ndjson');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const types = [...lakeTables.events.columns, partitionColumn].map((c) => `'${c.name}': '${{ string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' }[c.type]}'`).join(', ');
    const baseStarted = performance.now();
    await conn.run(`COPY (SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${types}})) TO '${join(dir, 'straight')}' (FORMAT parquet, PARTITION_BY (dt))`);
    const baseSeconds = (performance.now() - baseStarted) / 1000;
    return { rows: rows.length, localRowsPerSecond: rows.length / localSeconds, baselineRowsPerSecond: rows.length / baseSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
