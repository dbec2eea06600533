/**
 * The port every lake reader goes through: one SQL text in, rows out. Implemented by Athena on AWS
 * (analytics/adapters/athena-engine.ts) and DuckDB locally and in tests (analytics/adapters/duckdb-engine.ts).
 * The SQL names the tables `events` and `identity` unqualified; each engine maps them to the lake.
 */
export type LakeValue = string | number | null;
export type LakeRecord = Record<string, LakeValue>;

export interface LakeResult {
  rows: LakeRecord[];
  /** Bytes the engine read to answer (Athena: DataScannedInBytes; DuckDB: size of the files read). */
  bytesScanned: number;
  /** Wall time of the query, ms. */
  elapsedMs: number;
}

export interface LakeEngine {
  readonly name: 'athena' | 'duckdb';
  query(sql: string): Promise<LakeResult>;
}
