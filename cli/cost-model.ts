/**
 * Monthly AWS cost model. Usage per event, email and execution comes from the benchmarks' measured
 * figures (bench/results/*.json); prices are list prices, us-east-1, as published on 2026-11-01.
 * Pure: no I/O here.
 */
import { defaultLakeRetentionDays } from '../functions/analytics/domain/lake.js';
import { type FormsUsage, formsItems } from './cost-forms.js';

/** List prices (USD), us-east-1. */
export const prices = {
  /** HTTP API, per million requests (first 300 million a month; $0.90 beyond). */
  httpApiPerMillion: 1.0,
  httpApiPerMillionOver300M: 0.9,
  /** Lambda arm64, per GB-second and per million requests. */
  lambdaGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** Kinesis Data Streams on-demand: per stream-hour, per GB written and read (records rounded up to 1 KB). */
  kinesisStreamHour: 0.04,
  kinesisIngestPerGb: 0.08,
  kinesisRetrievalPerGb: 0.04,
  /** DynamoDB on-demand: per million write and read request units; storage per GB-month. */
  dynamoPerMillionWru: 0.625,
  dynamoPerMillionRru: 0.125,
  dynamoStorageGbMonth: 0.25,
  /** Step Functions Standard, per state transition. */
  stepFunctionsTransition: 0.000025,
  /** EventBridge custom events, per million published. */
  eventBridgePerMillion: 1.0,
  /** SES, per 1,000 emails. */
  sesPer1000: 0.1,
  /** S3 Standard: GET and PUT per 1,000 requests, storage per GB-month (first 50 TB). */
  s3GetPer1000: 0.0004,
  s3PutPer1000: 0.005,
  s3StorageGbMonth: 0.023,
  /** CloudWatch Logs ingestion per GB. */
  logsIngestPerGb: 0.5,
  /**
   * Amazon Data Firehose, Direct PUT: ingestion per GB, every record rounded up to 5 KB (first 500 TB a
   * month); format conversion to Parquet per GB ingested, in the same 5 KB steps.
   */
  firehoseIngestPerGb: 0.029,
  firehoseRecordIncrementBytes: 5 * 1024,
  firehoseFormatConversionPerGb: 0.018,
  /** Firehose dynamic partitioning: per GB processed, per 1,000 S3 objects delivered, per JQ processing hour. */
  firehosePartitioningPerGb: 0.02,
  firehosePartitioningPer1000Objects: 0.005,
  firehoseJqHour: 0.07,
  /** Athena SQL queries: per TB scanned, with a 10 MB minimum per query. */
  athenaPerTb: 5.0,
  athenaMinBytesPerQuery: 10 * 1024 ** 2,
} as const;

/** Assumptions that no local benchmark can measure; each is named in the printed report. */
export const assumptions = {
  /**
   * The segments sweep (every minute, infra/segments.ts) when nobody is due and no back-fill is open:
   * its duration (ms) and the due index Queries it makes (8 partitions, eventually consistent, 0.5 read
   * units each). Membership changes are priced by the events that cause them (4 write units each).
   */
  segmentsSweepIdleMs: 60,
  segmentsSweepReadUnits: 4,
  /** Tracker and SDK batching: events per HTTP request (a page view and its first heartbeats, etc.). */
  eventsPerRequest: 2,
  /** AWS-side I/O time added to collect's measured CPU time (PutRecords, and DynamoDB for identify). */
  collectIoMs: 15,
  /** Share of invocations that are cold starts, and their init duration (billed since 2025). */
  coldStartShare: 0.002,
  initMs: 250,
  /** Lambda memory (GB) per function, as deployed by infra/. */
  collectGb: 0.25,
  processGb: 0.5,
  sendGb: 0.25,
  stepGb: 0.25,
  /** Kinesis on-demand streams start with capacity equal to 4 shards; batches fill over 5 s windows. */
  streamShards: 4,
  batchWindowSeconds: 5,
  maxBatch: 100,
  /** Each profile update also rewrites its small ranking-index entry (one write unit); unused once measured. */
  indexWriteUnitsPerUpdate: 1,
  /** Log bytes per invocation: Lambda's START/END/REPORT lines plus Nurture's structured lines. */
  logBytesPerInvocation: 600,
  /** The processor packs a batch's lake rows (NDJSON) into Firehose records of at most Firehose's 1,000 KiB. */
  lakeRecordMaxBytes: 1_000 * 1024,
  /** Firehose streams of the lake: one per table (events, identity), each converting to its table's Parquet schema. */
  lakeDeliveryStreams: 2,
  /** Firehose buffering: an S3 object per partition when 900 s pass or 128 MB fill (Parquet conversion needs ≥ 64 MB). */
  lakeBufferSeconds: 900,
  lakeBufferMb: 128,
  /** Partitions (UTC days) each buffer interval writes: today's (late events for yesterday add a few more). */
  lakePartitionsPerInterval: 1,
  /** JQ time Firehose bills to extract `dt` from rows: no public figure, so a cautious 1 MB/s. */
  jqSecondsPerGb: 1_000,
  /** Report queries a month (console views and scheduled reports), each over the last reportRangeDays days. */
  reportQueriesPerMonth: 1_000,
  reportRangeDays: 30,
  /** S3 GET requests Athena makes per Parquet object a query reads: the footer, then its columns (one merged range in a small file). */
  athenaGetsPerObject: 2,
  /** Bytes stored per profile item (history lives in the event lake, priced with it; no archive items). */
  profileItemBytes: 3_000,
  /** Tracked opens and clicks per email that reach the API. */
  trackedRequestsPerEmail: 0.4,
} as const;

/** Measured usage, from bench/results/<bench>.json `figures` (same names); optional parts are listed as not measured when missing. */
export interface Usage {
  ingest: { collectCpuMsPerRequest: number; streamRecordBytes: number };
  scoring: {
    writeRequestsPerEvent: number;
    writeUnitsPerEvent: number;
    readUnitsPerEvent: number;
    linkWriteUnitsPerIdentify: number;
    linkReadUnitsPerIdentify: number;
    identifyShare: number;
    busEventsPerEvent: number;
    processorMsPerEvent: number;
    /** Ranking-index write units per event; when missing, assumptions.indexWriteUnitsPerUpdate per write request. */
    indexWriteUnitsPerEvent?: number;
  };
  sending?: { writeUnitsPerEmail: number; readUnitsPerEmail: number; sendMsPerEmail: number };
  /**
   * bench/results/scenarios.json. Per execution: DynamoDB units of enrollment and steps (the enroll and steps
   * functions and the state machine's own DynamoDB tasks; the send function's are per email), and the
   * invocations of the enroll and steps functions with their mean warm duration (ms).
   */
  scenarios?: {
    transitionsPerExecution: number;
    writeUnitsPerExecution?: number;
    readUnitsPerExecution?: number;
    lambdaTasksPerExecution?: number;
    taskMsPerInvocation?: number;
  };
  /** bench/results/analytics.json: the event lake. */
  lake?: {
    /** Bytes of one events row as the processor sends it to Firehose (NDJSON, newline included). */
    lakeRowBytes?: number;
    /** Bytes of Parquet stored per events row (Snappy-compressed, as Firehose's conversion writes). */
    lakeParquetBytesPerRow?: number;
    /** Identity rows (merges) per event: they go to their own Firehose stream. */
    lakeIdentityRowsPerEvent?: number;
    /** Bytes a report scans per event in its date range (bytes scanned ÷ events in range), mean over the reports. */
    reportScanBytesPerEvent?: number;
  };
  /** bench/results/landing-page.json: the forms function per landing page view and per submission. */
  forms?: FormsUsage;
}

/** Figures of bench/results/analytics.json the lake's line items need (Usage['lake']). */
export const lakeFigures = ['lakeRowBytes', 'lakeParquetBytesPerRow', 'lakeIdentityRowsPerEvent', 'reportScanBytesPerEvent'] as const;

export interface Volume {
  events: number;
  leads: number;
  emails: number;
  executions: number;
  /** Landing page views (`/p/<slug>`) and form submissions a month. */
  pageViews?: number;
  submissions?: number;
}

export interface LineItem {
  service: string;
  item: string;
  usd: number;
  /** Part of the cost that grows with events alone (the per-million-events figure). */
  perEventUsd: number;
  fixed?: boolean;
}

const lambdaCost = (invocations: number, msEach: number, gb: number) => {
  const coldMs = invocations * assumptions.coldStartShare * assumptions.initMs;
  return (invocations * prices.lambdaPerMillionRequests) / 1e6 + ((invocations * msEach + coldMs) / 1000) * gb * prices.lambdaGbSecond;
};

export interface CostResult {
  items: LineItem[];
  total: number;
  /** Variable cost per million events: the sum of the items' perEventUsd, per million events. */
  perMillionEvents: number;
  /** Usage no benchmark has measured yet: its line items are left out. */
  missing: string[];
  /** The assumptions this estimate used (a measured figure retires its assumption). */
  assumed: Partial<Record<keyof typeof assumptions, number>>;
}

const gb = (bytes: number) => bytes / 1024 ** 3;

/** The month's line items for a volume. */
export function monthlyCost(v: Volume, u: Usage): CostResult {
  const items: LineItem[] = [];
  const missing: string[] = [];
  const retired = new Set<keyof typeof assumptions>();
  const add = (service: string, item: string, usd: number, perEventUsd = 0, fixed = false) =>
    items.push({ service, item, usd, perEventUsd, ...(fixed ? { fixed } : {}) });

  const eventRequests = v.events / assumptions.eventsPerRequest;
  const requests = eventRequests + v.emails * assumptions.trackedRequestsPerEmail;
  const apiCost = (r: number) => (Math.min(r, 300e6) * prices.httpApiPerMillion + Math.max(0, r - 300e6) * prices.httpApiPerMillionOver300M) / 1e6;
  add('API Gateway', `${fmt(requests)} HTTP API requests`, apiCost(requests), apiCost(eventRequests));

  const collectMs = u.ingest.collectCpuMsPerRequest + assumptions.collectIoMs;
  add('Lambda', `collect: ${fmt(requests)} invocations × ${collectMs.toFixed(1)} ms`, lambdaCost(requests, collectMs, assumptions.collectGb), lambdaCost(eventRequests, collectMs, assumptions.collectGb));

  const eventsPerSecond = v.events / (30 * 86_400);
  const batch = Math.max(1, Math.min(assumptions.maxBatch, (eventsPerSecond * assumptions.batchWindowSeconds) / assumptions.streamShards));
  const batches = v.events / batch;
  const processMs = batch * u.scoring.processorMsPerEvent;
  const processCost = lambdaCost(batches, processMs, assumptions.processGb);
  add('Lambda', `process: ${fmt(batches)} batches of ~${batch.toFixed(0)} events`, processCost, processCost);

  add('Kinesis', 'on-demand stream, 730 stream-hours', 730 * prices.kinesisStreamHour, 0, true);
  const kinesisGb = gb(v.events * Math.ceil(u.ingest.streamRecordBytes / 1024) * 1024);
  const kinesisData = kinesisGb * prices.kinesisIngestPerGb + kinesisGb * prices.kinesisRetrievalPerGb;
  add('Kinesis', `${kinesisGb.toFixed(1)} GB written and read (1 KB per record)`, kinesisData, kinesisData);

  const identifies = v.events * u.scoring.identifyShare;
  const indexWru = u.scoring.indexWriteUnitsPerEvent ?? u.scoring.writeRequestsPerEvent * assumptions.indexWriteUnitsPerUpdate;
  if (u.scoring.indexWriteUnitsPerEvent !== undefined) retired.add('indexWriteUnitsPerUpdate');
  const eventWru = v.events * (u.scoring.writeUnitsPerEvent + indexWru) + identifies * u.scoring.linkWriteUnitsPerIdentify;
  const eventRru = v.events * u.scoring.readUnitsPerEvent + identifies * u.scoring.linkReadUnitsPerIdentify;
  let wru = eventWru;
  let rru = eventRru;
  if (u.sending) {
    wru += v.emails * u.sending.writeUnitsPerEmail;
    rru += v.emails * u.sending.readUnitsPerEmail;
  } else missing.push('sending (npm run bench:sending)');
  if (!u.scenarios) missing.push('scenarios (npm run bench:scenarios)');
  else if (u.scenarios.writeUnitsPerExecution === undefined || u.scenarios.readUnitsPerExecution === undefined) missing.push('DynamoDB units of scenario enrollment and steps');
  else {
    wru += v.executions * u.scenarios.writeUnitsPerExecution;
    rru += v.executions * u.scenarios.readUnitsPerExecution;
  }
  const dynamoEvents = (eventWru * prices.dynamoPerMillionWru + eventRru * prices.dynamoPerMillionRru) / 1e6;
  add('DynamoDB', `${fmt(wru)} write units, ${fmt(rru)} read units`, (wru * prices.dynamoPerMillionWru + rru * prices.dynamoPerMillionRru) / 1e6, dynamoEvents);
  const storageGb = gb(v.leads * assumptions.profileItemBytes);
  add('DynamoDB', `storage ${storageGb.toFixed(1)} GB (grows month by month)`, storageGb * prices.dynamoStorageGbMonth, 0, true);

  const busEvents = v.events * u.scoring.busEventsPerEvent + v.executions;
  add('EventBridge', `${fmt(busEvents)} events published`, (busEvents * prices.eventBridgePerMillion) / 1e6, (v.events * u.scoring.busEventsPerEvent * prices.eventBridgePerMillion) / 1e6);

  if (u.scenarios) {
    const transitions = v.executions * u.scenarios.transitionsPerExecution;
    add('Step Functions', `${fmt(transitions)} state transitions`, transitions * prices.stepFunctionsTransition);
    if (u.scenarios.lambdaTasksPerExecution !== undefined && u.scenarios.taskMsPerInvocation !== undefined) {
      const tasks = v.executions * u.scenarios.lambdaTasksPerExecution;
      add('Lambda', `scenario enroll and steps: ${fmt(tasks)} invocations × ${u.scenarios.taskMsPerInvocation.toFixed(0)} ms`, lambdaCost(tasks, u.scenarios.taskMsPerInvocation, assumptions.stepGb));
    } else missing.push('Lambda time of scenario enroll and step tasks');
  }
  if (u.sending) add('Lambda', `send: ${fmt(v.emails)} invocations`, lambdaCost(v.emails, u.sending.sendMsPerEmail, assumptions.sendGb));
  add('SES', `${fmt(v.emails)} emails`, (v.emails / 1000) * prices.sesPer1000);
  add('S3', `${fmt(v.emails)} template reads`, (v.emails / 1000) * prices.s3GetPer1000);

  lakeItems(v, u, batch, add, missing);
  formsItems(v, u.forms, { api: apiCost, lambda: (n, ms, g) => lambdaCost(n, ms, g), dynamo: (w, r) => (w * prices.dynamoPerMillionWru + r * prices.dynamoPerMillionRru) / 1e6 }, add, missing);

  const sweeps = 30 * 24 * 60;
  add('Lambda', `segments sweep: ${fmt(sweeps)} runs a month (every minute; assumed ${assumptions.segmentsSweepIdleMs} ms idle)`, lambdaCost(sweeps, assumptions.segmentsSweepIdleMs, 0.5), 0, true);
  add('DynamoDB', `segments due index: ${fmt(sweeps * assumptions.segmentsSweepReadUnits)} read units`, (sweeps * assumptions.segmentsSweepReadUnits * prices.dynamoPerMillionRru) / 1e6, 0, true);

  const invocations = requests + batches + sweeps + v.emails + v.executions * (u.scenarios?.lambdaTasksPerExecution ?? 0) + (v.pageViews ?? 0) + (v.submissions ?? 0);
  const logsGb = gb(invocations * assumptions.logBytesPerInvocation);
  const eventLogsGb = gb((eventRequests + batches) * assumptions.logBytesPerInvocation);
  add('CloudWatch Logs', `${logsGb.toFixed(2)} GB ingested (assumed ${assumptions.logBytesPerInvocation} B per invocation)`, logsGb * prices.logsIngestPerGb, eventLogsGb * prices.logsIngestPerGb);

  const total = items.reduce((n, i) => n + i.usd, 0);
  const perMillionEvents = v.events > 0 ? (items.reduce((n, i) => n + i.perEventUsd, 0) / v.events) * 1e6 : 0;
  const assumed = Object.fromEntries(Object.entries(assumptions).filter(([k]) => !retired.has(k as keyof typeof assumptions)));
  return { items, total, perMillionEvents, missing, assumed };
}

type Add = (service: string, item: string, usd: number, perEventUsd?: number, fixed?: boolean) => void;

/**
 * The event lake: the processor sends each batch's rows to Firehose (Direct PUT), which partitions them
 * by day (dynamic partitioning, `dt` read with JQ), converts them to Parquet and writes S3 objects that
 * Athena's reports read. Each item needs its measured figure (bench/results/analytics.json); without it
 * the item is listed as not measured.
 */
function lakeItems(v: Volume, u: Usage, batch: number, add: Add, missing: string[]) {
  const lake = u.lake ?? {};
  const need = (figure: (typeof lakeFigures)[number], what: string) => {
    if (lake[figure] === undefined) missing.push(`${what} (analytics.json ${figure})`);
    return lake[figure];
  };
  const rowBytes = need('lakeRowBytes', 'Firehose ingestion, partitioning and Parquet conversion of lake rows');
  const identityRows = need('lakeIdentityRowsPerEvent', "Firehose records of the lake's identity rows");
  const parquetBytes = need('lakeParquetBytesPerRow', 'S3 storage of the lake');
  const scanBytes = need('reportScanBytesPerEvent', 'Athena bytes scanned by reports');

  if (rowBytes !== undefined) {
    // Per processor batch: its rows packed into as few records as fit, each record billed in 5 KB steps.
    const step = prices.firehoseRecordIncrementBytes;
    const batchBytes = batch * rowBytes;
    const records = Math.ceil(batchBytes / assumptions.lakeRecordMaxBytes);
    let billedBytes = (v.events / batch) * records * Math.ceil(batchBytes / records / step) * step;
    // Identity rows go to their own stream: a batch with any (Poisson) sends one more record, billed 5 KB.
    if (identityRows !== undefined) billedBytes += (v.events / batch) * (1 - Math.exp(-batch * identityRows)) * step;
    const billedGb = gb(billedBytes);
    const ingest = billedGb * prices.firehoseIngestPerGb;
    add('Firehose', `lake ingestion: ${billedGb.toFixed(1)} GB billed (${(batchBytes / records / 1024).toFixed(1)} KB records, 5 KB steps)`, ingest, ingest);
    const convert = billedGb * prices.firehoseFormatConversionPerGb;
    add('Firehose', `Parquet conversion: ${billedGb.toFixed(1)} GB (5 KB steps)`, convert, convert);
    const processedGb = gb(v.events * rowBytes);
    const partitioning = processedGb * prices.firehosePartitioningPerGb;
    add('Firehose', `dynamic partitioning: ${processedGb.toFixed(1)} GB processed`, partitioning, partitioning);
    const jqHours = (processedGb * assumptions.jqSecondsPerGb) / 3600;
    const jq = jqHours * prices.firehoseJqHour;
    add('Firehose', `JQ processing: ${jqHours.toFixed(1)} hours (assumed ${assumptions.jqSecondsPerGb} s per GB)`, jq, jq);
  }

  // Objects: one per partition per buffer interval per stream, more when a buffer fills first.
  const intervals = (30 * 86_400) / assumptions.lakeBufferSeconds;
  const byTime = assumptions.lakeDeliveryStreams * assumptions.lakePartitionsPerInterval * intervals;
  const bySize = rowBytes !== undefined ? (v.events * rowBytes) / (assumptions.lakeBufferMb * 1024 ** 2) : 0;
  const objects = v.events > 0 ? Math.max(byTime, bySize) : 0;
  // Objects beyond one per interval come from volume (full buffers): that part grows with events.
  const extra = Math.max(0, objects - byTime) / 1000;
  const full = bySize > byTime;
  add('Firehose', `${fmt(objects)} S3 objects delivered (partitioned)`, (objects / 1000) * prices.firehosePartitioningPer1000Objects, extra * prices.firehosePartitioningPer1000Objects, !full);
  add('S3', `lake: ${fmt(objects)} PUT requests`, (objects / 1000) * prices.s3PutPer1000, extra * prices.s3PutPer1000, !full);
  if (parquetBytes !== undefined) {
    const storedGb = gb(v.events * parquetBytes);
    const storage = storedGb * prices.s3StorageGbMonth;
    add('S3', `lake storage: ${storedGb.toFixed(2)} GB a month's events add (kept ${defaultLakeRetentionDays} days)`, storage, storage);
  }

  const queries = assumptions.reportQueriesPerMonth;
  const eventsInRange = (v.events * assumptions.reportRangeDays) / 30;
  if (scanBytes !== undefined) {
    const linear = queries * eventsInRange * scanBytes;
    const scanned = queries * Math.max(prices.athenaMinBytesPerQuery, eventsInRange * scanBytes);
    const tb = scanned / 1024 ** 4;
    add('Athena', `${fmt(queries)} report queries, ${tb >= 1 ? `${tb.toFixed(1)} TB` : `${(tb * 1024).toFixed(1)} GB`} scanned (10 MB minimum each)`, tb * prices.athenaPerTb, (linear / 1024 ** 4) * prices.athenaPerTb);
  }
  const objectsRead = queries * Math.min(objects, (objects * assumptions.reportRangeDays) / 30);
  const gets = objectsRead * assumptions.athenaGetsPerObject;
  add('S3', `lake: ${fmt(gets)} GET requests by report queries`, (gets / 1000) * prices.s3GetPer1000, 0, true);
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** Variable cost per million events by service (the items' perEventUsd); sums to perMillionEvents. */
export function perMillionByService(v: Volume, r: CostResult): { service: string; usd: number }[] {
  const by = new Map<string, number>();
  if (v.events > 0) for (const i of r.items) by.set(i.service, (by.get(i.service) ?? 0) + (i.perEventUsd / v.events) * 1e6);
  return [...by].filter(([, usd]) => usd > 0).map(([service, usd]) => ({ service, usd })).sort((a, b) => b.usd - a.usd);
}

/** The report as printed by `nurture cost`. */
export function formatCost(v: Volume, r: CostResult): string {
  const lines = [
    `Monthly AWS estimate for ${fmt(v.events)} events, ${fmt(v.leads)} leads, ${fmt(v.emails)} emails, ${fmt(v.executions)} scenario executions` +
      (v.pageViews || v.submissions ? `, ${fmt(v.pageViews ?? 0)} landing page views, ${fmt(v.submissions ?? 0)} form submissions` : ''),
    '(list prices, us-east-1, 2026-11-01; usage per event/email/step from bench/results/*.json)',
    '',
  ];
  for (const i of r.items) lines.push(`  ${i.service.padEnd(16)} ${i.item.padEnd(64)} $${i.usd.toFixed(2).padStart(10)}${i.fixed ? '  (fixed)' : ''}`);
  lines.push(`  ${''.padEnd(16)} ${'total'.padEnd(64)} $${r.total.toFixed(2).padStart(10)}`);
  lines.push('', `Variable cost per million events: $${r.perMillionEvents.toFixed(2)} (target ≤ $1.50), by service:`);
  for (const s of perMillionByService(v, r)) lines.push(`  ${s.service.padEnd(16)} $${s.usd.toFixed(4).padStart(8)}  ${((s.usd / r.perMillionEvents) * 100).toFixed(0).padStart(3)}%`);
  if (r.missing.length) lines.push(`Not measured yet, left out: ${r.missing.join(', ')}`);
  lines.push('Assumptions (not measurable locally): ' + Object.entries(r.assumed).map(([k, val]) => `${k}=${val}`).join(', '));
  return lines.join('\n');
}
