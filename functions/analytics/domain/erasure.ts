/**
 * Erasing a person from the lake: which ids are theirs, which files hold rows of those ids, and the
 * rewrite of each such file without them. Pure: SQL texts in, plans out. The same texts run on Athena
 * (Trino) and DuckDB; only the name of the column that tells a row's file differs (`fileColumn`).
 */
import { maxMergeHops } from '../../profiles/domain/merge-chain.js';
import { type LakeColumnType, type LakeTable, lakeTables } from './lake.js';
import type { LakeRecord } from './engine.js';

/** Profile ids an erasure request accepts (profile ids are `p_` + base64url; test ids are plain words). */
export const profileIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Most ids one erasure removes. A person's merge tree stays far below it (a profile keeps at most 50
 * merged ids, chains are 1-2 hops); more is a data fault, refused instead of building an unbounded IN list.
 */
export const maxErasedIds = 1000;

/** Prefix of the lake bucket where an Athena UNLOAD writes a file's kept rows before they replace it. */
export const erasureTmpPrefix = 'erasure-tmp/';

/**
 * Start of the main table partition key of every erasure request item (adapters/erasure-store.ts). The
 * analytics admin function may write only items whose key starts so (infra/analytics.ts, LeadingKeys).
 */
export const erasureKeyPrefix = 'erasure#';

/** Columns that name a profile, per table: a row belongs to a person when any of them holds one of their ids. */
export const idColumns: Record<LakeTable, readonly string[]> = {
  events: ['profile_id'],
  identity: ['from_id', 'to_id'],
};

/**
 * Tables in the order an erasure rewrites them: identity last, because the identity rows are how a rerun
 * after a failure would find the merged ids again (the request also keeps the ids it found).
 */
export const erasureOrder: readonly LakeTable[] = ['events', 'identity'];

/** The column each engine exposes a row's file under: Athena `"$path"`, DuckDB read_parquet's `filename`. */
export type FileColumn = '"$path"' | 'filename';

/** A SQL string literal (quotes doubled), for values checked against profileIdPattern or paths we listed. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** SQL type of each lake column type, spelt alike in Trino and DuckDB. */
export const sqlTypes: Record<LakeColumnType, string> = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE' };

/**
 * The ids of the person `profileId` belongs to: from the id, forward along merges to its survivor (the
 * profile it was merged into, and so on), then back from every profile on that path to every profile merged
 * into it, each way at most maxMergeHops merges. Every merge joins two profiles of one person, so erasing
 * the survivor's whole tree erases exactly that person. Unrolled joins instead of WITH RECURSIVE: both
 * engines run them alike. Returns one column, `id`.
 */
export function erasureIdsSql(profileId: string): string {
  const hops = Array.from({ length: maxMergeHops }, (_, i) => i + 1);
  const ctes = [
    `merges AS (SELECT DISTINCT from_id, to_id FROM identity WHERE kind = 'merge' AND from_id <> to_id)`,
    `up0 AS (SELECT CAST(${sqlString(profileId)} AS VARCHAR) AS id)`,
    ...hops.map((h) => `up${h} AS (SELECT m.to_id AS id FROM merges m JOIN up${h - 1} p ON m.from_id = p.id)`),
    `person AS (${[0, ...hops].map((h) => `SELECT id FROM up${h}`).join(' UNION ')})`,
    `down0 AS (SELECT id FROM person)`,
    ...hops.map((h) => `down${h} AS (SELECT m.from_id AS id FROM merges m JOIN down${h - 1} p ON m.to_id = p.id)`),
  ];
  return `WITH ${ctes.join(',\n')}\nSELECT DISTINCT id FROM (${[0, ...hops].map((h) => `SELECT id FROM down${h}`).join(' UNION ')}) ids ORDER BY id`;
}

/** True for a row of `table` that belongs to one of `ids` (never null: a null column matches nothing). */
function matches(table: LakeTable, ids: readonly string[]): string {
  const list = ids.map(sqlString).join(', ');
  return `(${idColumns[table].map((c) => `coalesce(${c} IN (${list}), false)`).join(' OR ')})`;
}

/** The files of `table` holding rows of `ids`, with how many such rows each: columns `file`, `n`. */
export function filesSql(table: LakeTable, ids: readonly string[], fileColumn: FileColumn): string {
  return `SELECT ${fileColumn} AS file, count(*) AS n FROM ${table} WHERE ${matches(table, ids)} GROUP BY ${fileColumn} ORDER BY 1`;
}

/**
 * The rows of one file that stay, in the lake's columns and types (lake.ts), so a rewritten file reads
 * exactly like one the writer made. `from` is the engine's name for that file's rows; `where` adds the
 * engine's conditions that pick the file (Athena: partition and `"$path"`).
 */
export function keptRowsSql(table: LakeTable, ids: readonly string[], from: string, where: readonly string[] = []): string {
  const columns = lakeTables[table].columns.map((c) => `CAST(${c.name} AS ${sqlTypes[c.type]}) AS ${c.name}`);
  return `SELECT ${columns.join(', ')} FROM ${from} WHERE ${[...where, `NOT ${matches(table, ids)}`].join(' AND ')}`;
}

/** One file to rewrite and how many of its rows go. */
export interface FileToRewrite {
  table: LakeTable;
  file: string;
  dt: string;
  rows: number;
}

/** The partition (`dt=YYYY-MM-DD`) a lake file lies in, from its path; undefined outside the layout. */
export function dtOfPath(path: string): string | undefined {
  return /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(path)?.[1];
}

/** The rewrite plan from a filesSql result: files outside the lake layout are refused, not touched. */
export function rewritePlan(table: LakeTable, rows: readonly LakeRecord[]): FileToRewrite[] {
  return rows.map((r) => {
    const file = String(r.file);
    const dt = dtOfPath(file);
    if (!dt) throw new LakeLayoutError(`lake file outside the ${table}/dt=YYYY-MM-DD/ layout: ${file}`);
    return { table, file, dt, rows: Number(r.n) };
  });
}

/** Errors of erasure (kept here, not in an analytics errors.ts, while the reports own that module). */
export class ErasureError extends Error {
  override name = 'ErasureError';
}

/** A file the lake query named lies outside the layout: never rewritten blindly. */
export class LakeLayoutError extends ErasureError {
  override name = 'LakeLayoutError';
}

/** More than maxErasedIds ids in one person's merge tree: a data fault to look at, not to erase blindly. */
export class TooManyIdsError extends ErasureError {
  override name = 'TooManyIdsError';
}
