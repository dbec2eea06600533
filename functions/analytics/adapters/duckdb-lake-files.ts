/**
 * The lake on this machine's disk (`LAKE_DIR`, laid out as lake.ts says), read and rewritten with DuckDB:
 * local mode's and the tests' stand-in for Athena and S3 in erasure. Each query sees the files as they are
 * at that moment (the views are rebuilt per query, since rewrites and the writer change them).
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { LakeRecord, LakeResult, LakeValue } from '../domain/engine.js';
import type { LakeFiles } from '../domain/erase-job.js';
import { type FileToRewrite, keptRowsSql, sqlString, sqlTypes } from '../domain/erasure.js';
import { type LakeTable, lakeTables, partitionColumn } from '../domain/lake.js';

const toValue = (v: unknown): LakeValue =>
  v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' || typeof v === 'string' ? v : String(v);

export class DuckDbLakeFiles implements LakeFiles {
  readonly fileColumn = 'filename' as const;
  /**
   * Operations run one at a time: a rewrite renames or deletes files that another operation's view
   * (a glob over the folder) may be reading, and they share one connection. The job's concurrent
   * rewrites (erasureLimits.rewriteConcurrency, for Athena) queue here.
   */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly lakeDir: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
  ) {}

  /** An in-memory DuckDB over the lake at `lakeDir`. The package loads on first use (it never ships to Lambda). */
  static async open(lakeDir: string): Promise<DuckDbLakeFiles> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckDbLakeFiles(lakeDir, instance, await instance.connect());
  }

  query(sql: string): Promise<LakeResult> {
    return this.serially(() => this.queryNow(sql));
  }

  rewrite(file: FileToRewrite, ids: readonly string[]): Promise<void> {
    return this.serially(() => this.rewriteNow(file, ids));
  }

  private serially<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async queryNow(sql: string): Promise<LakeResult> {
    const started = Date.now();
    let bytesScanned = 0;
    for (const table of Object.keys(lakeTables) as LakeTable[]) bytesScanned += await this.defineView(table);
    const reader = await this.db.runAndReadAll(sql);
    const rows = reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toValue(v)])) as LakeRecord);
    return { rows, bytesScanned, elapsedMs: Date.now() - started };
  }

  /**
   * Writes the kept rows beside the file and renames them over it (a rename within one folder is atomic,
   * so a reader sees the old file or the new one); a file with no rows left is deleted. The rows come
   * through the table's view, as Athena's come through the table: a column the file lacks is written null.
   */
  private async rewriteNow(file: FileToRewrite, ids: readonly string[]): Promise<void> {
    await this.defineView(file.table);
    const temporary = `${file.file}.erasing`;
    const kept = keptRowsSql(file.table, ids, file.table, [`filename = ${sqlString(file.file)}`]);
    await this.db.run(`COPY (${kept}) TO ${sqlString(temporary)} (FORMAT parquet)`);
    const count = await this.db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(temporary)})`);
    if (Number(count.getRowObjectsJS()[0]?.n ?? 0) === 0) {
      rmSync(temporary, { force: true });
      rmSync(file.file, { force: true });
      return;
    }
    renameSync(temporary, file.file);
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }

  /** `CREATE VIEW <table>` over its files (typed lake columns, `dt`, `filename`); returns their bytes. */
  private async defineView(table: LakeTable): Promise<number> {
    const columns = lakeTables[table].columns;
    const dir = join(this.lakeDir, table);
    const partitions = existsSync(dir) ? readdirSync(dir).filter((p) => p.startsWith(`${partitionColumn.name}=`)) : [];
    const files = partitions.flatMap((p) => readdirSync(join(dir, p)).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, p, f)));
    const typed = (present: (name: string) => boolean) =>
      columns.map((c) => `CAST(${present(c.name) ? c.name : 'NULL'} AS ${sqlTypes[c.type]}) AS ${c.name}`).join(', ');
    let source: string;
    if (files.length === 0) {
      // read_parquet fails on a pattern matching no file: an empty table of the same shape instead.
      source = `SELECT ${typed(() => false)}, CAST(NULL AS VARCHAR) AS ${partitionColumn.name}, CAST(NULL AS VARCHAR) AS filename WHERE false`;
    } else {
      const pattern = sqlString(join(dir, `${partitionColumn.name}=*`, '*.parquet'));
      const read = `read_parquet(${pattern}, filename = true, hive_partitioning = true, union_by_name = true, hive_types = {'${partitionColumn.name}': VARCHAR})`;
      // A column no file has (a writer that left it out) reads as null, as Athena reads it.
      const described = await this.db.runAndReadAll(`DESCRIBE SELECT * FROM ${read}`);
      const present = new Set(described.getRowObjectsJS().map((c) => String(c.column_name)));
      source = `SELECT ${typed((name) => present.has(name))}, ${partitionColumn.name}, filename FROM ${read}`;
    }
    await this.db.run(`CREATE OR REPLACE VIEW ${table} AS ${source}`);
    return files.reduce((sum, f) => sum + statSync(f).size, 0);
  }
}
