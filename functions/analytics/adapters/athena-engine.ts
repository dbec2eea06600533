/**
 * The lake engine on AWS: Athena (Trino) over the Glue tables `events` and `identity` of the lake database.
 * One query: StartQueryExecution in the workgroup (its per-query scan limit and result location apply),
 * GetQueryExecution polled with backoff until it ends or athenaQueryDeadlineMs passes, then every page of
 * GetQueryResults, typed from the result metadata.
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { LakeEngine, LakeRecord, LakeResult, LakeValue } from '../domain/engine.js';
import { QueryFailedError, QueryTimeoutError, ScanLimitExceededError, TooManyRowsError } from '../errors.js';

/**
 * How long a query may run before the engine stops it: API Gateway ends an HTTP API request after 30 s,
 * so an answer must be ready well before; 25 s leaves room for reading the results.
 */
export const athenaQueryDeadlineMs = 25_000;
/** Polling backoff: the first wait, its growth per poll, and the longest wait. */
export const athenaPoll = { firstMs: 200, factor: 1.5, maxMs: 2_000 } as const;
/** Most rows read back (reports bound their rows with LIMIT; this guards against one that does not). */
export const maxResultRows = 20_000;
/** Rows per GetQueryResults page (Athena's maximum). */
const pageSize = 1000;

export interface AthenaEngineOptions {
  workgroup: string;
  database: string;
  /** Waits between polls; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const numeric = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** A cell as the port's value: numbers for numeric columns (Athena sends every value as text), null for no value. */
function cell(value: string | undefined, column: ColumnInfo | undefined): LakeValue {
  if (value === undefined) return null;
  return numeric.has((column?.Type ?? '').toLowerCase()) ? Number(value) : value;
}

const isScanLimit = (reason: string) => /bytes scanned limit/i.test(reason);

export class AthenaEngine implements LakeEngine {
  readonly name = 'athena' as const;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly athena: AthenaClient,
    private readonly opts: AthenaEngineOptions,
  ) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  async query(sql: string): Promise<LakeResult> {
    const started = this.now();
    const { QueryExecutionId: id } = await this.athena.send(
      new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.opts.workgroup, QueryExecutionContext: { Database: this.opts.database } }),
    );
    if (!id) throw new QueryFailedError('Athena started no query (no QueryExecutionId)');
    const bytesScanned = await this.waitFor(id, started);
    const rows = await this.readResults(id);
    return { rows, bytesScanned, elapsedMs: this.now() - started };
  }

  /** Polls until the query ends; its bytes scanned when it succeeded, a domain error otherwise. */
  private async waitFor(id: string, started: number): Promise<number> {
    for (let wait: number = athenaPoll.firstMs; ; wait = Math.min(athenaPoll.maxMs, wait * athenaPoll.factor)) {
      const { QueryExecution: q } = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State;
      const reason = q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? '';
      if (state === 'SUCCEEDED') return Number(q?.Statistics?.DataScannedInBytes ?? 0);
      // AWS documents the per-query data usage control as cancelling the query; match the reason in either state.
      if ((state === 'FAILED' || state === 'CANCELLED') && isScanLimit(reason)) {
        throw new ScanLimitExceededError(`the query would read more than the workgroup's scan limit (${q?.Statistics?.DataScannedInBytes ?? '?'} bytes read when stopped): ask for a shorter window`);
      }
      if (state === 'FAILED') throw new QueryFailedError(`Athena query ${id} failed: ${reason}`);
      if (state === 'CANCELLED') throw new QueryFailedError(`Athena query ${id} was cancelled: ${reason || 'no reason given'}`);
      if (this.now() - started + wait > athenaQueryDeadlineMs) {
        await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new QueryTimeoutError(`the report did not finish within ${athenaQueryDeadlineMs / 1000} s; try a shorter window`);
      }
      await this.sleep(wait);
    }
  }

  /** Every page of results; the first row of the first page is the header Athena adds to a SELECT. */
  private async readResults(id: string): Promise<LakeRecord[]> {
    const out: LakeRecord[] = [];
    let columns: ColumnInfo[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: pageSize, ...(token ? { NextToken: token } : {}) }));
      if (first) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const rows: Row[] = page.ResultSet?.Rows ?? [];
      for (const [i, row] of rows.entries()) {
        if (first && i === 0) continue;
        const data = row.Data ?? [];
        out.push(Object.fromEntries(columns.map((c, j) => [c.Name ?? `_${j}`, cell(data[j]?.VarCharValue, c)])));
      }
      if (out.length > maxResultRows) throw new TooManyRowsError(`Athena query ${id} returned more than ${maxResultRows} rows`);
      first = false;
      token = page.NextToken;
    } while (token);
    return out;
  }
}
