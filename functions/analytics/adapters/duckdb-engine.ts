/**
 * The lake engine of local mode and the tests: DuckDB (in process, @duckdb/node-api) over the lake folder's
 * Parquet files. Parquet support is built into the package; nothing is downloaded at run time.
 *
 * Each query runs on its own connection, where `events` and `identity` are temporary views over
 * `<lakeDir>/<table>/*\/*.parquet` with hive partitioning (`dt` read as the string it is in Athena), cast
 * to the lake contract's types; a table without a file yet is an empty relation of the same columns. The
 * views are made per query because files appear while local mode runs, and DuckDB binds a view's files
 * when it is made.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Type-only: the module is loaded in open(), so a Lambda bundle (where @duckdb/node-api is left out) that
// merely contains this file does not fail at init for want of the native package.
import type { DuckDBInstance } from '@duckdb/node-api';
import { type LakeEngine, type LakeRecord, type LakeResult, type LakeValue } from '../domain/engine.js';
import { type LakeColumnType, lakeTables, type LakeTable, partitionColumn } from '../domain/lake.js';
import { QueryFailedError } from '../errors.js';
import { bytesOfFilesRead } from './duckdb-scan.js';

/**
 * Trino functions DuckDB lacks, as DuckDB macros of the same name and meaning, so every report stays one
 * Trino SQL text. Kept short on purpose: a report needing another Trino function adds it here with a test.
 * (Other differences are avoided in the SQL itself: `/` of two integers is integer division in Trino and
 * exact in DuckDB, so reports divide doubles; `greatest` with a NULL differs, so reports use coalesce.)
 */
export const trinoCompatMacros: readonly { name: string; trino: string; sql: string }[] = [
  {
    name: 'regexp_like',
    trino: 'regexp_like(string, pattern): true when the pattern matches anywhere in the string',
    sql: 'CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  },
  {
    name: 'json_extract_scalar',
    trino: 'json_extract_scalar(json, path): the scalar at the JSONPath as text (NULL for objects, arrays and absent keys)',
    sql: "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END",
  },
  {
    name: 'array_join',
    trino: 'array_join(array, delimiter): the elements as text joined by the delimiter (NULL elements skipped)',
    sql: 'CREATE OR REPLACE MACRO array_join(a, d) AS array_to_string(list_filter(a, x -> x IS NOT NULL), d)',
  },
];

const duckType: Record<LakeColumnType, string> = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' };
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Whether a table of the lake holds at least one Parquet file in a partition folder. */
function hasFiles(tableDir: string): boolean {
  if (!existsSync(tableDir)) return false;
  return readdirSync(tableDir, { withFileTypes: true }).some(
    (d) => d.isDirectory() && d.name.startsWith(`${partitionColumn.name}=`) && readdirSync(join(tableDir, d.name)).some((f) => f.endsWith('.parquet')),
  );
}

/** The SQL of one table's relation: the lake's files, typed as the contract says, or no rows. */
export function relationSql(lakeDir: string, table: LakeTable): string {
  const columns = [...lakeTables[table].columns, partitionColumn];
  const dir = join(lakeDir, table);
  if (!hasFiles(dir)) {
    return `SELECT ${columns.map((c) => `CAST(NULL AS ${duckType[c.type]}) AS ${c.name}`).join(', ')} WHERE false`;
  }
  // union_by_name: files written before a column was added to the contract read it as NULL (as Athena does).
  const source = `read_parquet(${quote(join(dir, '*', '*.parquet'))}, hive_partitioning = true, union_by_name = true, hive_types = {'${partitionColumn.name}': VARCHAR})`;
  return `SELECT ${columns.map((c) => `CAST(${c.name} AS ${duckType[c.type]}) AS ${c.name}`).join(', ')} FROM ${source}`;
}

/** DuckDB's values as the port's: integers of any width as numbers (counts, epoch ms), other objects as text. */
function lakeValue(v: unknown): LakeValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return String(v);
  return String(v);
}

export class DuckDbEngine implements LakeEngine {
  readonly name = 'duckdb' as const;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly lakeDir: string,
  ) {}

  /** An engine over `lakeDir` (the folder holding `events/` and `identity/`), on a new in-memory DuckDB or the one given. */
  static async open(lakeDir: string, instance?: DuckDBInstance): Promise<DuckDbEngine> {
    const db = instance ?? (await (await import('@duckdb/node-api')).DuckDBInstance.create(':memory:'));
    const conn = await db.connect();
    try {
      for (const m of trinoCompatMacros) await conn.run(m.sql);
    } finally {
      conn.closeSync();
    }
    return new DuckDbEngine(db, lakeDir);
  }

  async query(sql: string): Promise<LakeResult> {
    const started = performance.now();
    const conn = await this.instance.connect();
    const profileFile = join(tmpdir(), `nurture-duckdb-${randomUUID()}.json`);
    try {
      for (const table of Object.keys(lakeTables) as LakeTable[]) {
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${table} AS ${relationSql(this.lakeDir, table)}`);
      }
      await conn.run(`PRAGMA enable_profiling = 'json'`);
      await conn.run(`SET profiling_output = ${quote(profileFile)}`);
      let rows: LakeRecord[];
      try {
        const reader = await conn.runAndReadAll(sql);
        rows = reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, lakeValue(v)])));
      } catch (err) {
        throw new QueryFailedError(`DuckDB: ${(err as Error).message}`, { cause: err });
      }
      await conn.run('PRAGMA disable_profiling');
      const elapsedMs = Math.round(performance.now() - started);
      const profile: unknown = existsSync(profileFile) ? JSON.parse(readFileSync(profileFile, 'utf8')) : {};
      return { rows, bytesScanned: await bytesOfFilesRead(conn, this.lakeDir, profile), elapsedMs };
    } finally {
      conn.closeSync();
      rmSync(profileFile, { force: true });
    }
  }

  /** Closes the DuckDB instance (tests; local mode keeps one for its lifetime). */
  close(): void {
    this.instance.closeSync();
  }
}
