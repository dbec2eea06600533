import type { Command } from 'commander';
import { loadResults } from '../bench-results.js';
import { formsFigures, type FormsUsage } from '../cost-forms.js';
import { formatCost, lakeFigures, monthlyCost, type Usage } from '../cost-model.js';
import type { RegisterCommands } from './register.js';

function figures(bench: string, keys: string[]): Record<string, number> | undefined {
  const r = loadResults(bench);
  if (!r) return undefined;
  const out: Record<string, number> = {};
  for (const k of keys) {
    const v = r.figures[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out[k] = v;
  }
  return out;
}

/** The figures among `keys` that the bench measured (finite numbers); the others are left out. */
function optionalFigures(bench: string, keys: readonly string[]): Record<string, number> {
  const figures = loadResults(bench)?.figures ?? {};
  return Object.fromEntries(keys.filter((k) => typeof figures[k] === 'number' && Number.isFinite(figures[k])).map((k) => [k, figures[k]!]));
}

/** Usage coefficients as the benchmarks measured them. */
export function measuredUsage(): Usage {
  const ingest = figures('ingest', ['collectCpuMsPerRequest']);
  const scoring = figures('scoring', [
    'writeRequestsPerEvent',
    'writeUnitsPerEvent',
    'readUnitsPerEvent',
    'linkWriteUnitsPerIdentify',
    'linkReadUnitsPerIdentify',
    'identifyShare',
    'busEventsPerEvent',
    'processorMsPerEvent',
    'streamRecordBytes',
  ]);
  if (!ingest || !scoring) throw new Error('bench/results/ingest.json or scoring.json is missing: run npm run bench:ingest and npm run bench:scoring');
  const sending = figures('sending', ['writeUnitsPerEmail', 'readUnitsPerEmail', 'sendMsPerEmail']);
  const scenarios = figures('scenarios', ['transitionsPerExecution']);
  const scenarioExtras = optionalFigures('scenarios', ['writeUnitsPerExecution', 'readUnitsPerExecution', 'lambdaTasksPerExecution', 'taskMsPerInvocation']);
  const index = optionalFigures('scoring', ['indexWriteUnitsPerEvent']);
  const { streamRecordBytes: _bytes, ...scoringUsage } = scoring;
  return {
    ingest: { collectCpuMsPerRequest: ingest.collectCpuMsPerRequest!, streamRecordBytes: scoring.streamRecordBytes! },
    scoring: { ...scoringUsage, ...index } as Usage['scoring'],
    ...(sending ? { sending: sending as Usage['sending'] } : {}),
    ...(scenarios ? { scenarios: { ...scenarios, ...scenarioExtras } as Usage['scenarios'] } : {}),
    // bench/analytics.ts writes bench/results/analytics.json; until then the lake's items are listed as not measured.
    lake: optionalFigures('analytics', lakeFigures),
    ...(figures('landing-page', [...formsFigures]) ? { forms: figures('landing-page', [...formsFigures]) as unknown as FormsUsage } : {}),
  };
}

const count = (v: string) => {
  const m = /^(\d+(?:\.\d+)?)([kmb]?)$/i.exec(v.trim());
  if (!m) throw new Error(`not a count: ${v} (use e.g. 10000, 50k, 10m, 1b)`);
  return Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6, b: 1e9 } as Record<string, number>)[m[2]!.toLowerCase()]!;
};

export const registerCost: RegisterCommands = (program: Command) => {
  program
    .command('cost')
    .description('Monthly AWS cost estimate, line item per service, from measured usage and list prices')
    .option('--events <n>', 'tracked events a month (10m, 1b, …)', '10m')
    .option('--leads <n>', 'profiles stored', '50k')
    .option('--emails <n>', 'emails a month', '200k')
    .option('--executions <n>', 'scenario executions a month', '50k')
    .option('--page-views <n>', 'landing page views a month', '20k')
    .option('--submissions <n>', 'form submissions a month', '1k')
    .option('--json', 'print JSON')
    .action((opts: Record<string, string | boolean>) => {
      const volume = { events: count(String(opts.events)), leads: count(String(opts.leads)), emails: count(String(opts.emails)), executions: count(String(opts.executions)), pageViews: count(String(opts.pageViews)), submissions: count(String(opts.submissions)) };
      const result = monthlyCost(volume, measuredUsage());
      console.log(opts.json ? JSON.stringify({ volume, ...result }, null, 2) : formatCost(volume, result));
    });
};
