/**
 * What the local Firehose stand-in does with the rows it accepts, as Firehose does on AWS: buffers them per
 * table and, every `bufferSeconds` or at `flushBytes`, converts them to Parquet (DuckDB) with the column
 * types of the lake contract, under `<lake>/<table>/dt=YYYY-MM-DD/<stream>-<time>-<uuid>.parquet`. Rows that
 * are not JSON objects of the table's columns, or whose `dt` cannot name a partition, go to
 * `<lake>/errors/<table>/` instead (Firehose's error output prefix). Files appear whole: each is written
 * in a staging folder and renamed into its partition.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { type LakeColumn, lakeTables, type LakeTable, partitionColumn } from '../../functions/analytics/domain/lake.js';

/** Seconds rows wait before they are written locally (Firehose's buffer interval; 60–900 s on AWS). */
export const localBufferSeconds = 1;
/** Buffered bytes of one table that make it flush at once (Firehose's buffer size; 64–128 MiB with Parquet on AWS). */
export const localFlushBytes = 16 * 1024 * 1024;
/** Buffered bytes over all tables above which new records are refused with ServiceUnavailableException. */
export const localMaxBufferedBytes = 128 * 1024 * 1024;
/** Folder of rows that could not be delivered, relative to the lake root. */
export const errorsFolder = 'errors';

const duckTypes: Record<LakeColumn['type'], string> = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' };
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** Why a row was not delivered (the error codes Firehose writes beside failed records). */
export type RowErrorCode = 'DataFormatConversion.MalformedData' | 'DataFormatConversion.InvalidSchema' | 'DynamicPartitioning.MetadataExtractionFailed' | 'Local.WriteFailed';

/** Why `line` cannot be a row of `table`, or undefined when it can. */
export function rowProblem(table: LakeTable, line: string): { code: RowErrorCode; message: string } | undefined {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    return { code: 'DataFormatConversion.MalformedData', message: `not JSON: ${(err as Error).message}` };
  }
  if (!row || typeof row !== 'object' || Array.isArray(row)) return { code: 'DataFormatConversion.MalformedData', message: 'not a JSON object' };
  const r = row as Record<string, unknown>;
  if (typeof r.dt !== 'string' || !dayPattern.test(r.dt)) return { code: 'DynamicPartitioning.MetadataExtractionFailed', message: 'dt is not a YYYY-MM-DD day' };
  for (const c of lakeTables[table].columns) {
    const v = r[c.name];
    if (v === null || v === undefined) continue;
    const fits = c.type === 'string' ? typeof v === 'string' : c.type === 'bigint' ? Number.isSafeInteger(v) : typeof v === 'number' && Number.isFinite(v);
    if (!fits) return { code: 'DataFormatConversion.InvalidSchema', message: `${c.name} is not a ${c.type}` };
  }
  return undefined;
}

interface Buffered {
  stream: string;
  lines: string[];
  bytes: number;
}

export interface LakeFilesOptions {
  lakeDir: string;
  bufferSeconds?: number;
  flushBytes?: number;
  maxBufferedBytes?: number;
  log?: (line: string) => void;
}

/** Buffers accepted records per table and writes them as Parquet partitions. */
export class LakeFiles {
  private readonly buffers = new Map<LakeTable, Buffered>();
  private readonly bufferSeconds: number;
  private readonly flushBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly log: (line: string) => void;
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private duck: Promise<{ db: DuckDBInstance; connection: DuckDBConnection }> | undefined;
  /** Rows written to Parquet so far. */
  rowsWritten = 0;

  constructor(private readonly opts: LakeFilesOptions) {
    this.bufferSeconds = opts.bufferSeconds ?? localBufferSeconds;
    this.flushBytes = opts.flushBytes ?? localFlushBytes;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? localMaxBufferedBytes;
    this.log = opts.log ?? ((line) => console.warn(line));
    this.timer = setInterval(() => void this.flush(), this.bufferSeconds * 1000);
    this.timer.unref();
  }

  /** False while the buffer is full (the writer falls behind): Firehose then refuses records as throttled. */
  get accepting(): boolean {
    return this.buffered < this.maxBufferedBytes;
  }

  /** One Firehose record of `stream` (newline-delimited JSON rows) for `table`. */
  add(table: LakeTable, stream: string, data: Buffer): void {
    const buffer = this.buffers.get(table) ?? { stream, lines: [], bytes: 0 };
    this.buffers.set(table, buffer);
    const errors: string[] = [];
    for (const line of data.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const problem = rowProblem(table, line);
      if (problem) errors.push(JSON.stringify({ deliveryStreamName: stream, errorCode: problem.code, errorMessage: problem.message, rawData: line, arrivalTimestamp: Date.now() }));
      else {
        buffer.lines.push(line);
        buffer.bytes += line.length;
        this.buffered += line.length;
      }
    }
    if (errors.length > 0) this.writeErrors(table, errors);
    if (buffer.bytes >= this.flushBytes) void this.flush();
  }

  /** Writes everything buffered so far; resolves when it is on disk. */
  flush(): Promise<void> {
    const taken = [...this.buffers].filter(([, b]) => b.lines.length > 0);
    for (const [table, b] of taken) this.buffers.set(table, { stream: b.stream, lines: [], bytes: 0 });
    this.queue = this.queue.then(async () => {
      for (const [table, b] of taken) {
        try {
          await this.write(table, b);
          this.rowsWritten += b.lines.length;
        } catch (err) {
          this.log(`[firehose] writing ${b.lines.length} ${table} rows failed; they are in ${join(this.opts.lakeDir, errorsFolder, table)}: ${(err as Error).message}`);
          this.writeErrors(table, b.lines.map((rawData) => JSON.stringify({ deliveryStreamName: b.stream, errorCode: 'Local.WriteFailed', errorMessage: (err as Error).message, rawData, arrivalTimestamp: Date.now() })));
        } finally {
          this.buffered -= b.bytes;
        }
      }
    });
    return this.queue;
  }

  /** Flushes what is buffered and closes DuckDB. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    const duck = await this.duck;
    duck?.connection.closeSync();
    duck?.db.closeSync();
  }

  private writeErrors(table: LakeTable, lines: string[]): void {
    const dir = join(this.opts.lakeDir, errorsFolder, table);
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `${new Date().toISOString().slice(0, 10)}.jsonl`), `${lines.join('\n')}\n`);
  }

  private async connect(): Promise<DuckDBConnection> {
    this.duck ??= DuckDBInstance.create(':memory:').then(async (db) => ({ db, connection: await db.connect() }));
    return (await this.duck).connection;
  }

  /** One Parquet file per day of the buffered rows, written aside and renamed into its partition. */
  private async write(table: LakeTable, b: Buffered): Promise<void> {
    const connection = await this.connect();
    const id = randomUUID();
    const staging = join(this.opts.lakeDir, '.staging', id);
    mkdirSync(staging, { recursive: true });
    try {
      const input = join(staging, 'rows.ndjson');
      writeFileSync(input, b.lines.join('\n'));
      const columns = [...lakeTables[table].columns, partitionColumn];
      // Explicit types: a column that is null in every row of this flush is still VARCHAR/BIGINT/DOUBLE,
      // so files of different flushes read as one table.
      const types = columns.map((c) => `${quoteLiteral(c.name)}: '${duckTypes[c.type]}'`).join(', ');
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      const out = join(staging, 'out');
      await connection.run(
        `COPY (SELECT * FROM read_json(${quoteLiteral(input)}, format = 'newline_delimited', columns = {${types}})) ` +
          `TO ${quoteLiteral(out)} (FORMAT parquet, PARTITION_BY (${partitionColumn.name}), FILENAME_PATTERN ${quoteLiteral(`${b.stream}-${stamp}-{uuid}`)})`,
      );
      for (const part of readdirSync(out)) {
        const dir = join(this.opts.lakeDir, table, part);
        mkdirSync(dir, { recursive: true });
        for (const file of readdirSync(join(out, part))) renameSync(join(out, part, file), join(dir, file));
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
