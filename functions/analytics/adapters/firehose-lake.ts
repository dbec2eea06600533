import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { EventRow, IdentityRow } from '../domain/lake.js';
import type { LakeSink } from '../domain/lake-rows.js';
import { LakeWriteError } from '../errors.js';

/** Environment variables naming the delivery streams of each lake table. */
export const lakeStreamEnv = { events: 'LAKE_EVENTS_STREAM', identity: 'LAKE_IDENTITY_STREAM' } as const;

/**
 * Firehose's limits on Direct PUT (PutRecordBatch; none can be raised). Rows travel as newline-delimited
 * JSON packed into as few records as these allow, because Firehose bills each record rounded up to 5 KB:
 * one small row per record would cost about eight times as much.
 */
export const firehoseLimits = {
  /** Largest record, before base64. */
  maxRecordBytes: 1_000 * 1024,
  /** Records per PutRecordBatch call. */
  maxBatchRecords: 500,
  /** Largest PutRecordBatch call (the records' data). */
  maxBatchBytes: 4 * 1024 * 1024,
  /**
   * Rows per record: dynamic partitioning (by `dt`) splits an aggregated record into at most 500 JSON
   * objects ("multi record deaggregation").
   */
  maxRowsPerRecord: 500,
} as const;

/** Calls per batch while Firehose keeps refusing some of its records (FailedPutCount > 0). */
export const maxPutAttempts = 4;
/** First pause before putting refused records again (ms); doubles each attempt, with jitter. */
export const retryBaseMs = 100;

/** One Firehose record: newline-delimited JSON rows. */
export interface PackedRecord {
  data: Uint8Array;
  rows: number;
}

/** Rows as newline-delimited JSON in as few records as firehoseLimits allow, in order. */
export function packRecords(rows: readonly object[]): PackedRecord[] {
  const out: PackedRecord[] = [];
  let lines: Buffer[] = [];
  let bytes = 0;
  const close = () => {
    if (lines.length === 0) return;
    out.push({ data: Buffer.concat(lines, bytes), rows: lines.length });
    lines = [];
    bytes = 0;
  };
  for (const row of rows) {
    const line = Buffer.from(`${JSON.stringify(row)}\n`, 'utf8');
    // A row over the record limit cannot occur (lake rows are bounded, lake.ts); alone in its record,
    // Firehose would refuse it and the batch would fail loudly rather than lose it silently.
    if (bytes + line.length > firehoseLimits.maxRecordBytes || lines.length >= firehoseLimits.maxRowsPerRecord) close();
    lines.push(line);
    bytes += line.length;
  }
  close();
  return out;
}

/** Records grouped into PutRecordBatch calls within firehoseLimits. */
export function batchesOf(records: readonly PackedRecord[]): PackedRecord[][] {
  const out: PackedRecord[][] = [];
  let batch: PackedRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    if (batch.length > 0 && (batch.length >= firehoseLimits.maxBatchRecords || bytes + r.data.length > firehoseLimits.maxBatchBytes)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(r);
    bytes += r.data.length;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The lake written through Kinesis Data Firehose (Direct PUT), one delivery stream per table; Firehose
 * turns the JSON into Parquet under `<table>/dt=YYYY-MM-DD/`. Records Firehose refuses in a call that
 * succeeds (FailedPutCount) are put again with backoff; after maxPutAttempts a LakeWriteError fails the
 * caller's Kinesis batch, which Lambda delivers again (rows may then repeat: the lake is at-least-once).
 * Errors of the call itself (throttling, 5xx) are retried by the SDK and then rethrown as they are.
 */
export class FirehoseLake implements LakeSink {
  constructor(
    private readonly firehose: FirehoseClient,
    private readonly streams: { events: string; identity: string },
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {}

  events(rows: EventRow[]): Promise<void> {
    return this.put(this.streams.events, rows);
  }

  identity(rows: IdentityRow[]): Promise<void> {
    return this.put(this.streams.identity, rows);
  }

  private async put(stream: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await Promise.all(batchesOf(packRecords(rows)).map((batch) => this.putBatch(stream, batch)));
  }

  private async putBatch(stream: string, records: PackedRecord[]): Promise<void> {
    let pending = records;
    for (let attempt = 1; ; attempt++) {
      const res = await this.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: pending.map((r) => ({ Data: r.data })) }));
      if (!res.FailedPutCount) return;
      const answers = res.RequestResponses ?? [];
      // Answers come in request order; a record without its answer counts as refused.
      const refused = pending.filter((_, i) => !answers[i]?.RecordId || answers[i]?.ErrorCode);
      if (refused.length === 0) return;
      const codes = [...new Set(answers.map((a) => a.ErrorCode).filter(Boolean))].join(', ');
      if (attempt >= maxPutAttempts) {
        const rows = refused.reduce((n, r) => n + r.rows, 0);
        throw new LakeWriteError(`Firehose ${stream} refused ${refused.length} of ${records.length} records (${rows} rows) ${attempt} times: ${codes || 'no error code'}`, rows);
      }
      pending = refused;
      await this.sleep(retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    }
  }
}
