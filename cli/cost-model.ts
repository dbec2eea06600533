/**
 * Monthly AWS cost model. Usage per event, email and execution comes from the benchmarks' measured
 * figures (bench/results/*.json); prices are list prices, us-east-1, as published on 2026-11-01.
 * Pure: no I/O here.
 */

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
  /** S3 GET and PUT per 1,000 requests. */
  s3GetPer1000: 0.0004,
  /** CloudWatch Logs ingestion per GB. */
  logsIngestPerGb: 0.5,
} as const;

/** Assumptions that no local benchmark can measure; each is named in the printed report. */
export const assumptions = {
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
  /** Each profile update also rewrites its small ranking-index entry (one write unit). */
  indexWriteUnitsPerUpdate: 1,
  /** Log bytes per invocation: Lambda's START/END/REPORT lines plus Nurture's structured lines. */
  logBytesPerInvocation: 600,
  /** Bytes stored per profile item and per activity entry (archives included). */
  profileItemBytes: 3_000,
  activityEntryBytes: 180,
  /** Tracked opens and clicks per email that reach the API. */
  trackedRequestsPerEmail: 0.4,
} as const;

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
  };
  sending?: { writeUnitsPerEmail: number; readUnitsPerEmail: number; sendMsPerEmail: number };
  /** Step Functions transitions per execution are measured; the step Lambdas and enrollment writes are not yet. */
  scenarios?: { transitionsPerExecution: number; lambdaTasksPerExecution?: number; taskMsPerInvocation?: number; writeUnitsPerExecution?: number };
}

export interface Volume {
  events: number;
  leads: number;
  emails: number;
  executions: number;
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

/** The month's line items for a volume. */
export function monthlyCost(v: Volume, u: Usage): { items: LineItem[]; total: number; perMillionEvents: number; missing: string[] } {
  const items: LineItem[] = [];
  const missing: string[] = [];
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
  const gb = (v.events * Math.ceil(u.ingest.streamRecordBytes / 1024) * 1024) / 1024 ** 3;
  const kinesisData = gb * prices.kinesisIngestPerGb + gb * prices.kinesisRetrievalPerGb;
  add('Kinesis', `${gb.toFixed(1)} GB written and read (1 KB per record)`, kinesisData, kinesisData);

  const identifies = v.events * u.scoring.identifyShare;
  const eventWru = v.events * (u.scoring.writeUnitsPerEvent + u.scoring.writeRequestsPerEvent * assumptions.indexWriteUnitsPerUpdate) + identifies * u.scoring.linkWriteUnitsPerIdentify;
  const eventRru = v.events * u.scoring.readUnitsPerEvent + identifies * u.scoring.linkReadUnitsPerIdentify;
  let wru = eventWru;
  let rru = eventRru;
  if (u.sending) {
    wru += v.emails * u.sending.writeUnitsPerEmail;
    rru += v.emails * u.sending.readUnitsPerEmail;
  } else missing.push('sending (npm run bench:sending)');
  if (!u.scenarios) missing.push('scenarios (npm run bench:scenarios)');
  else if (u.scenarios.writeUnitsPerExecution === undefined) missing.push('DynamoDB writes of scenario enrollment and steps');
  else wru += v.executions * u.scenarios.writeUnitsPerExecution;
  const dynamoEvents = (eventWru * prices.dynamoPerMillionWru + eventRru * prices.dynamoPerMillionRru) / 1e6;
  add('DynamoDB', `${fmt(wru)} write units, ${fmt(rru)} read units`, (wru * prices.dynamoPerMillionWru + rru * prices.dynamoPerMillionRru) / 1e6, dynamoEvents);
  const storageGb = (v.leads * assumptions.profileItemBytes + v.events * assumptions.activityEntryBytes) / 1024 ** 3;
  add('DynamoDB', `storage ${storageGb.toFixed(1)} GB (grows month by month)`, storageGb * prices.dynamoStorageGbMonth, 0, true);

  const busEvents = v.events * u.scoring.busEventsPerEvent + v.executions;
  add('EventBridge', `${fmt(busEvents)} events published`, (busEvents * prices.eventBridgePerMillion) / 1e6, (v.events * u.scoring.busEventsPerEvent * prices.eventBridgePerMillion) / 1e6);

  if (u.scenarios) {
    const transitions = v.executions * u.scenarios.transitionsPerExecution;
    add('Step Functions', `${fmt(transitions)} state transitions`, transitions * prices.stepFunctionsTransition);
    if (u.scenarios.lambdaTasksPerExecution !== undefined && u.scenarios.taskMsPerInvocation !== undefined) {
      const tasks = v.executions * u.scenarios.lambdaTasksPerExecution;
      add('Lambda', `scenario tasks: ${fmt(tasks)} invocations`, lambdaCost(tasks, u.scenarios.taskMsPerInvocation, assumptions.stepGb));
    } else missing.push('Lambda time of scenario enroll and step tasks');
  }
  if (u.sending) add('Lambda', `send: ${fmt(v.emails)} invocations`, lambdaCost(v.emails, u.sending.sendMsPerEmail, assumptions.sendGb));
  add('SES', `${fmt(v.emails)} emails`, (v.emails / 1000) * prices.sesPer1000);
  add('S3', `${fmt(v.emails)} template reads`, (v.emails / 1000) * prices.s3GetPer1000);

  const invocations = requests + batches + v.emails + v.executions * (u.scenarios?.lambdaTasksPerExecution ?? 0);
  const logsGb = (invocations * assumptions.logBytesPerInvocation) / 1024 ** 3;
  const eventLogsGb = ((eventRequests + batches) * assumptions.logBytesPerInvocation) / 1024 ** 3;
  add('CloudWatch Logs', `${logsGb.toFixed(2)} GB ingested`, logsGb * prices.logsIngestPerGb, eventLogsGb * prices.logsIngestPerGb);

  const total = items.reduce((n, i) => n + i.usd, 0);
  const perMillionEvents = v.events > 0 ? (items.reduce((n, i) => n + i.perEventUsd, 0) / v.events) * 1e6 : 0;
  return { items, total, perMillionEvents, missing };
}

function fmt(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** The report as printed by `nurture cost`. */
export function formatCost(v: Volume, r: ReturnType<typeof monthlyCost>): string {
  const lines = [
    `Monthly AWS estimate for ${fmt(v.events)} events, ${fmt(v.leads)} leads, ${fmt(v.emails)} emails, ${fmt(v.executions)} scenario executions`,
    '(list prices, us-east-1, 2026-11-01; usage per event/email/step from bench/results/*.json)',
    '',
  ];
  for (const i of r.items) lines.push(`  ${i.service.padEnd(16)} ${i.item.padEnd(52)} $${i.usd.toFixed(2).padStart(10)}${i.fixed ? '  (fixed)' : ''}`);
  lines.push(`  ${''.padEnd(16)} ${'total'.padEnd(52)} $${r.total.toFixed(2).padStart(10)}`);
  lines.push('', `Variable cost per million events: $${r.perMillionEvents.toFixed(2)} (target ≤ $1.50)`);
  if (r.missing.length) lines.push(`Not measured yet, left out: ${r.missing.join(', ')}`);
  lines.push('Assumptions (not measurable locally): ' + Object.entries(assumptions).map(([k, v]) => `${k}=${v}`).join(', '));
  return lines.join('\n');
}
