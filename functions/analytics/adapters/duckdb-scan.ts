/**
 * What a DuckDB query read from the lake, from DuckDB's JSON profile of it: the Parquet files of the
 * partitions each table scan kept after partition pruning, and their sizes on disk.
 *
 * Whole files, where Athena's DataScannedInBytes counts only the columns and row groups a query reads: so
 * the DuckDB figure is an upper bound on Athena's for the same files, and shows what matters most, that a
 * report reads only the partitions of its window. (DuckDB's own `total_bytes_read` metric was tried and
 * counts far less than the column data a query reads, so it is not used.)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { lakeTables, type LakeTable, partitionColumn } from '../domain/lake.js';

interface ProfileNode {
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

interface LakeFile {
  dt: string;
  path: string;
  size: number;
}

function scans(node: ProfileNode, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (node.extra_info?.Function === 'READ_PARQUET') out.push(node.extra_info);
  for (const c of node.children ?? []) scans(c, out);
  return out;
}

function filesOf(lakeDir: string, table: LakeTable): LakeFile[] {
  const dir = join(lakeDir, table);
  if (!existsSync(dir)) return [];
  const prefix = `${partitionColumn.name}=`;
  return readdirSync(dir)
    .filter((d) => d.startsWith(prefix))
    .flatMap((d) =>
      readdirSync(join(dir, d))
        .filter((f) => f.endsWith('.parquet'))
        .map((f) => ({ dt: d.slice(prefix.length), path: join(dir, d, f), size: statSync(join(dir, d, f)).size })),
    );
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The partitions of `files` that a scan's `File Filters` (an expression over `dt`) keeps. */
async function kept(conn: DuckDBConnection, files: LakeFile[], filters: string): Promise<Set<string>> {
  const dts = [...new Set(files.map((f) => f.dt))];
  if (dts.length === 0) return new Set();
  const values = dts.map((d) => `(${quote(d)})`).join(', ');
  const reader = await conn.runAndReadAll(`SELECT ${partitionColumn.name} FROM (VALUES ${values}) AS p(${partitionColumn.name}) WHERE ${filters}`);
  return new Set(reader.getRows().map((r) => String(r[0])));
}

/** Bytes of the distinct lake files the profiled query's scans kept (see the module comment). */
export async function bytesOfFilesRead(conn: DuckDBConnection, lakeDir: string, profile: unknown): Promise<number> {
  const read = new Map<string, number>();
  for (const scan of scans(profile as ProfileNode)) {
    const names = String(scan['Filename(s)'] ?? '');
    const table = (Object.keys(lakeTables) as LakeTable[]).find((t) => names.includes(`${join(lakeDir, t)}${sep}`));
    if (!table) continue;
    const files = filesOf(lakeDir, table);
    const filters = typeof scan['File Filters'] === 'string' ? scan['File Filters'] : undefined;
    const dts = filters ? await kept(conn, files, filters) : undefined;
    for (const f of files) if (!dts || dts.has(f.dt)) read.set(f.path, f.size);
  }
  return [...read.values()].reduce((a, b) => a + b, 0);
}
