/**
 * The lake on AWS as erasure needs it: queries through the Athena workgroup, and one file's rewrite as an
 * Athena UNLOAD of its kept rows to a temporary prefix whose output then replaces the file in S3.
 *
 * Why UNLOAD: Lambda cannot rewrite Parquet without a native library, while Athena already reads the lake
 * and writes Parquet in the lake's column types (varchar, bigint, double). UNLOAD may write several files:
 * the extra ones are copied in beside the original first and the original is overwritten last, so a failure
 * midway leaves rows twice (reports count distinct message ids) but never loses a kept row. The bucket is
 * unversioned, so an overwritten or deleted object keeps no erased row behind.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { LakeRecord, LakeResult } from '../domain/engine.js';
import type { LakeFiles } from '../domain/erase-job.js';
import { ErasureError, type FileToRewrite, keptRowsSql, LakeLayoutError, sqlString } from '../domain/erasure.js';
import { partitionColumn } from '../domain/lake.js';

export interface AthenaLakeConfig {
  workgroup: string;
  database: string;
  /** The lake bucket (LAKE_BUCKET). */
  bucket: string;
  /** Prefix of UNLOAD's temporary output in the lake bucket (infra/analytics.ts lakePrefixes.erasureTmp). */
  tmpPrefix: string;
}

/** Athena query states that end a query. */
const finalStates = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Polling of a running query: starts at 250 ms, doubles, at most 2 s apart. */
const pollMs = { first: 250, max: 2_000 } as const;

/** An Athena query that did not succeed. */
export class AthenaQueryError extends ErasureError {
  override name = 'AthenaQueryError';
}

export class AthenaLakeFiles implements LakeFiles {
  readonly fileColumn = '"$path"' as const;

  constructor(
    private readonly athena: AthenaClient,
    private readonly s3: S3Client,
    private readonly config: AthenaLakeConfig,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async query(sql: string): Promise<LakeResult> {
    const started = Date.now();
    const { id, bytesScanned } = await this.run(sql);
    const rows: LakeRecord[] = [];
    let header: string[] | undefined;
    let token: string | undefined;
    do {
      const page: GetQueryResultsCommandOutput = await this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      for (const row of page.ResultSet?.Rows ?? []) {
        const values = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
        // The first row of the first page holds the column names.
        if (!header) header = values.map(String);
        else rows.push(Object.fromEntries(header.map((name, i) => [name, values[i] ?? null])));
      }
      token = page.NextToken;
    } while (token);
    return { rows, bytesScanned, elapsedMs: Date.now() - started };
  }

  async rewrite(file: FileToRewrite, ids: readonly string[]): Promise<void> {
    const { bucket, tmpPrefix } = this.config;
    const key = this.keyOf(file);
    const tmp = `${tmpPrefix}${createHash('sha256').update(key).digest('hex').slice(0, 32)}/`;
    // UNLOAD refuses a destination holding objects (a run that failed after its UNLOAD leaves some).
    await this.deleteKeys(await this.list(tmp));
    const where = [`${partitionColumn.name} = ${sqlString(file.dt)}`, `"$path" = ${sqlString(file.file)}`];
    await this.run(
      `UNLOAD (${keptRowsSql(file.table, ids, file.table, where)}) TO ${sqlString(`s3://${bucket}/${tmp}`)} WITH (format = 'PARQUET', compression = 'SNAPPY')`,
    );
    const outputs = (await this.list(tmp)).sort();
    const stem = key.replace(/\.parquet$/, '');
    for (const [i, output] of outputs.entries()) if (i > 0) await this.copy(output, `${stem}-${i}.parquet`);
    if (outputs.length === 0) await this.deleteKeys([key]);
    else await this.copy(outputs[0]!, key);
    await this.deleteKeys(outputs);
  }

  /** The S3 key of a lake file, which must lie in the lake bucket under its table's prefix. */
  private keyOf(file: FileToRewrite): string {
    const prefix = `s3://${this.config.bucket}/`;
    if (!file.file.startsWith(prefix) || !file.file.slice(prefix.length).startsWith(`${file.table}/`)) {
      throw new LakeLayoutError(`not a ${file.table} file of the lake bucket: ${file.file}`);
    }
    return file.file.slice(prefix.length);
  }

  /** Runs `sql` to its end; throws AthenaQueryError unless it succeeded. */
  private async run(sql: string): Promise<{ id: string; bytesScanned: number }> {
    const { workgroup, database } = this.config;
    const started = await this.athena.send(
      new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: workgroup, QueryExecutionContext: { Database: database } }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError('Athena returned no query execution id');
    for (let wait: number = pollMs.first; ; wait = Math.min(wait * 2, pollMs.max)) {
      const { QueryExecution: q } = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State ?? 'UNKNOWN';
      if (finalStates.has(state)) {
        if (state !== 'SUCCEEDED') throw new AthenaQueryError(`query ${id} ${state}: ${q?.Status?.StateChangeReason ?? 'no reason given'}`);
        return { id, bytesScanned: q?.Statistics?.DataScannedInBytes ?? 0 };
      }
      await this.sleep(wait);
    }
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  private async copy(from: string, to: string): Promise<void> {
    const { bucket } = this.config;
    await this.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${encodeURIComponent(from).replaceAll('%2F', '/')}` }));
  }

  /** Deletes `keys` (1,000 per request, S3's limit); a key that does not exist is no error. */
  private async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const res = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: batch, Quiet: true } }));
      if (res.Errors?.length) throw new ErasureError(`could not delete ${res.Errors.map((e) => `${e.Key} (${e.Code})`).join(', ')}`);
    }
  }
}
