/**
 * `nurture analytics <report>`: a lake report printed as an aligned table (or CSV, or JSON). Locally it
 * reads the lake folder with DuckDB, as the local admin API does (LAKE_DIR, default the lake of the data
 * folder: NURTURE_DATA_DIR or .nurture/data, then /lake); with --aws it runs on Athena in your account.
 */
import { join } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import type { Command } from 'commander';
import { AthenaEngine } from '../../functions/analytics/adapters/athena-engine.js';
import { DuckDbEngine } from '../../functions/analytics/adapters/duckdb-engine.js';
import { reportTemplate, sqlFragments } from '../../functions/analytics/adapters/report-sql.js';
import type { LakeEngine, LakeValue } from '../../functions/analytics/domain/engine.js';
import { runAttribution } from '../../functions/analytics/domain/attribution.js';
import { runReport } from '../../functions/analytics/domain/run-report.js';
import { reportNames, reports } from '../../functions/analytics/reports/index.js';
import { DynamoCostStore } from '../../functions/channels/adapters/cost-store.js';
import { DynamoRegistryStore } from '../../functions/channels/adapters/registry-store.js';
import { repoRoot } from '../../local/runtime/context.js';
import type { RegisterCommands } from './register.js';
import { tableClient, tableOptions } from './table-client.js';

/** Every report parameter besides from/to, as `--name <value>` (a report ignores the ones it does not take). */
const reportOptions: [string, string][] = [
  ['lookback', 'traffic, channels: days read before from (default 30); attribution: days a conversion looks back (default 30, at most 90)'],
  ['group', 'pages: comma-separated path globs, e.g. "/products/**,/blog/*"'],
  ['limit', 'pages, paths, repeat-visitors, channels: most rows'],
  ['after', 'paths: the path (or glob) whose next pages to list'],
  ['goal', 'paths: goal event (default "Form Submitted")'],
  ['steps', 'funnel: comma-separated steps (path globs or event:<name>); paths: pages per sequence'],
  ['within', 'funnel: window from the first step, e.g. 7d or 12h'],
  ['visits', 'repeat-visitors: at least this many visits (default 3)'],
  ['days', 'repeat-visitors: within this many days (default 7); recommendations: orders this many days after a click count (default 7, at most 30)'],
  ['path', 'repeat-visitors: count only visits that viewed this glob'],
  ['without', 'repeat-visitors: leave out people with this event (default "Order Completed"; "" for none)'],
  ['format', 'repeat-visitors: rows or ids'],
  ['model', 'channels: first or last touch (default last); attribution: first, last, linear, position, time_decay or all (default)'],
  ['conversion', 'attribution: order (default), lead, mql, sql, customer or event:<name>'],
  ['half-life', 'attribution: half-life of the time_decay model in days (default 7)'],
];

/** The query key of an option: `half-life` → `halfLife` (as commander names it too). */
const keyOf = (option: string) => option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** Rows as columns padded to their widest value; numbers aligned right. */
export function formatTable(rows: Record<string, LakeValue>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[], numeric: boolean[]) => cells.map((s, i) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  return [line(columns, numeric), line(widths.map((w) => '-'.repeat(w)), numeric), ...rows.map((r) => line(columns.map((c) => text(r[c])), numeric))].join('\n');
}

/**
 * The table's rows and, when the answer has `totals` (traffic: the whole window, each person once), a last
 * row `total` holding them. CSV and JSON keep rows and totals apart.
 */
export function withTotals(rows: Record<string, LakeValue>[], totals: unknown): Record<string, LakeValue>[] {
  if (rows.length === 0 || !totals || typeof totals !== 'object') return rows;
  const [first] = Object.keys(rows[0]!);
  return [...rows, { ...Object.fromEntries(Object.keys(rows[0]!).map((c) => [c, null])), ...(totals as Record<string, LakeValue>), [first!]: 'total' }];
}

/** Attribution's rows with, after each model's rows, a `total` row of that model's totals. */
export function withModelTotals(rows: Record<string, LakeValue>[], totals: unknown): Record<string, LakeValue>[] {
  const byModel = (totals ?? {}) as Record<string, Record<string, LakeValue>>;
  return Object.entries(byModel).flatMap(([model, total]) => [
    ...rows.filter((r) => r.model === model),
    { model, channel: 'total', medium: null, campaign: null, ...total },
  ]);
}

/** Rows as CSV (RFC 4180 quoting). */
export function formatCsv(rows: Record<string, LakeValue>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const field = (v: unknown) => (/[",\n\r]/.test(text(v)) ? `"${text(v).replaceAll('"', '""')}"` : text(v));
  return [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\n');
}

/** The lake engine a command runs on: Athena with `--aws`, else DuckDB over the local lake folder. */
export async function engineFor(opts: Record<string, string | boolean | undefined>): Promise<LakeEngine> {
  if (opts.aws) {
    return new AthenaEngine(new AthenaClient({}), { workgroup: String(opts.workgroup), database: String(opts.database) });
  }
  const dir = String(opts.lake ?? process.env.LAKE_DIR ?? join(process.env.NURTURE_DATA_DIR ?? join(repoRoot, '.nurture', 'data'), 'lake'));
  return DuckDbEngine.open(dir);
}

export const registerAnalytics: RegisterCommands = (program: Command) => {
  const cmd = program
    .command('analytics')
    .description(`run a report over the event lake: ${reportNames.join(', ')}`)
    .argument('<report>', reportNames.join(' | '))
    .option('--from <YYYY-MM-DD>', 'first day (UTC, inclusive; default 30 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last day (UTC, inclusive; default today)');
  for (const [name, help] of reportOptions) cmd.option(`--${name} <value>`, help);
  cmd
    .option('--csv', 'print CSV instead of a table')
    .option('--json', 'print the whole answer as JSON')
    .option('--lake <folder>', 'lake folder (default: LAKE_DIR, else <NURTURE_DATA_DIR or .nurture/data>/lake)')
    .option('--aws', 'run on Athena with your AWS credentials instead of the local lake')
    .option('--workgroup <name>', 'Athena workgroup (with --aws)', 'nurture-reports')
    .option('--database <name>', 'Glue database of the lake (with --aws)', 'nurture_lake');
  tableOptions(cmd, false)
    .action(async (report: string, opts: Record<string, string | boolean | undefined>) => {
      const query: Record<string, string> = {};
      for (const key of ['from', 'to', ...reportOptions.map(([n]) => keyOf(n))]) if (typeof opts[key] === 'string') query[key] = opts[key];
      const engine = await engineFor(opts);
      try {
        // The media registry and ad costs live in the table (npm start's DynamoDB, or the stack's with --aws).
        // Without them (npm start not running) reports classify with the default media and show no costs.
        const { doc, table: tableName } = tableClient(opts);
        const unread = (what: string) => (err: Error) => {
          console.error(`(${what} not read from ${tableName}: ${err.message}; going on without)`);
          return undefined;
        };
        const registryStore = new DynamoRegistryStore(doc, tableName);
        const costStore = new DynamoCostStore(doc, tableName);
        const ports = {
          engine, reports, template: reportTemplate, fragments: sqlFragments, now: () => new Date(),
          registry: { registry: () => registryStore.registry().catch(unread('media registry')) },
        };
        let answer: Record<string, unknown>;
        try {
          const costs = { costs: (from: string, to: string) => costStore.costs(from, to).catch((err: Error) => unread('ad costs')(err) ?? []) };
          answer = (report === 'attribution' ? await runAttribution(query, { ...ports, costs }) : await runReport(report, query, ports)) as Record<string, unknown>;
        } finally {
          doc.destroy();
        }
        if (opts.json) return console.log(JSON.stringify(answer, null, 2));
        if (Array.isArray(answer.ids)) return console.log((answer.ids as string[]).join('\n'));
        const rows = (answer.rows ?? []) as Record<string, LakeValue>[];
        const table = report === 'attribution' ? withModelTotals(rows, answer.totals) : withTotals(rows, answer.totals);
        console.log(opts.csv ? formatCsv(rows) : formatTable(table));
        if (!opts.csv) {
          const params = Object.entries(answer.parameters as object).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : text(v)}`);
          // repeat-visitors counts all its members; the rows may stop at --limit.
          const members = typeof answer.members === 'number' ? ` of ${answer.members} members` : '';
          console.error(`\n${report} ${params.join(' ')} · ${rows.length} rows${members} · ${answer.bytesScanned} bytes read · ${answer.elapsedMs} ms on ${answer.engine}`);
        }
      } finally {
        if (engine instanceof DuckDbEngine) engine.close();
      }
    });
};
