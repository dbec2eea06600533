/**
 * The reports' SQL texts, read once at module load from functions/analytics/reports/ (in a Lambda bundle
 * they lie beside it: infra ships `reportSqlFiles` with the function, to its root).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Report templates and the fragments they include (`{{> events_by_person}}`), by file name without `.sql`. */
export const reportSqlNames = ['_persons', '_events', '_sessions', '_classify', 'traffic', 'pages', 'paths', 'funnel', 'repeat-visitors', 'channels', 'attribution', 'recommendations'] as const;

/** The files to ship with a bundled function, relative to the repository root. */
export const reportSqlFiles = reportSqlNames.map((n) => ({ from: `functions/analytics/reports/${n}.sql`, to: `${n}.sql` }));

const here = dirname(fileURLToPath(import.meta.url));
const folder = [join(here, '..', 'reports'), here].find((d) => existsSync(join(d, 'traffic.sql')));

function load(): Record<string, string> {
  if (!folder) throw new Error(`report SQL files not found beside ${here}`);
  return Object.fromEntries(reportSqlNames.map((n) => [n, readFileSync(join(folder, `${n}.sql`), 'utf8')]));
}

const texts = load();

/** The SQL template of a report, by report name. */
export const reportTemplate = (name: string): string | undefined => (name.startsWith('_') ? undefined : texts[name]);

/** The fragments templates include, by the name they are included as. */
export const sqlFragments: Readonly<Record<string, string>> = { persons: texts._persons!, events_by_person: texts._events!, sessions: texts._sessions!, classify: texts._classify! };
