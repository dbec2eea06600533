/**
 * The SQL texts of lake queries that are not reports (functions/analytics/queries/), read on first use.
 * In a Lambda bundle they lie beside the entry: infra ships `querySqlFiles` with functions that read them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const querySqlNames = ['activity', 'backtest', 'touches'] as const;
export type QueryName = (typeof querySqlNames)[number];

/** Report fragments a query includes (`{{> classify}}` in touches.sql), by the name they are included as. */
const queryFragmentFiles = { classify: '_classify' } as const;

/** The files to ship with a bundled function, relative to the repository root. */
export const querySqlFiles = [
  ...querySqlNames.map((n) => ({ from: `functions/analytics/queries/${n}.sql`, to: `${n}.sql` })),
  ...Object.values(queryFragmentFiles).map((n) => ({ from: `functions/analytics/reports/${n}.sql`, to: `${n}.sql` })),
];

const here = dirname(fileURLToPath(import.meta.url));
const texts = new Map<string, string>();

function read(folder: string, name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    const file = [join(here, '..', folder, `${name}.sql`), join(here, `${name}.sql`)].find((f) => existsSync(f));
    if (!file) throw new Error(`${name}.sql not found beside ${here}`);
    text = readFileSync(file, 'utf8');
    texts.set(name, text);
  }
  return text;
}

/** The SQL template of a lake query. */
export function querySql(name: QueryName): string {
  return read('queries', name);
}

/** The report fragments the queries include, by the name they are included as. */
export function queryFragments(): Record<keyof typeof queryFragmentFiles, string> {
  return { classify: read('reports', queryFragmentFiles.classify) };
}
