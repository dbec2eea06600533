/**
 * One DuckDB instance per test file, a fresh lake folder per fixture, and reports run the way the admin
 * route runs them (functions/analytics/domain/run-report.ts) on the DuckDB engine.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { DuckDbEngine } from '../../../functions/analytics/adapters/duckdb-engine.js';
import { reportTemplate, sqlFragments } from '../../../functions/analytics/adapters/report-sql.js';
import type { EventRow, IdentityRow } from '../../../functions/analytics/domain/lake.js';
import { renderReport, runReport } from '../../../functions/analytics/domain/run-report.js';
import { reports } from '../../../functions/analytics/reports/index.js';
import { tempLake, writeLake, writeRows } from './fixture-lake.js';

/** Report ports without the engine; `now` is fixed so default windows are stable. */
export const reportPorts = { reports, template: reportTemplate, fragments: sqlFragments, now: () => new Date('2024-03-31T12:00:00Z') };

/** The SQL a report renders to. */
export const renderedSql = (name: string, query: Record<string, string>) => renderReport(name, query, reportPorts).sql;

/** A report's answer, loosely typed for assertions. */
export type Answer = Awaited<ReturnType<typeof runReport>> & { rows: Record<string, unknown>[]; members?: number; ids?: string[] };

export function analyticsHarness() {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const removals: (() => void)[] = [];
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    for (const remove of removals) remove();
    conn?.closeSync();
    instance?.closeSync();
  });
  return {
    /** A lake holding these rows, and a way to run reports over it. */
    async lake(rows: { events?: EventRow[]; identity?: IdentityRow[] }) {
      const folder = tempLake();
      removals.push(folder.remove);
      await writeLake(conn, folder.dir, rows);
      const engine = await DuckDbEngine.open(folder.dir, instance);
      return {
        dir: folder.dir,
        engine,
        run: (name: string, query: Record<string, string>) => runReport(name, query, { ...reportPorts, engine }) as Promise<Answer>,
        append: (table: 'events' | 'identity', more: (EventRow | IdentityRow)[]) => writeRows(conn, folder.dir, table, more),
      };
    },
  };
}
