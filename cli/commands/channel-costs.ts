/**
 * `nurture channels` subcommands of ad costs (README "Ad costs"): `import-costs <file.csv>` checks every
 * row first and writes nothing when one is bad (listing each as line: field: message, exit code 1);
 * `costs --from --to` prints totals. Locally they use the DynamoDB of a running `npm start`; with --aws
 * the deployed table, with your AWS credentials.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { tableClient, tableOptions } from './table-client.js';
import { DynamoCostStore } from '../../functions/channels/adapters/cost-store.js';
import { DynamoRegistryStore } from '../../functions/channels/adapters/registry-store.js';
import { type CostRoutePorts, importCostFile } from '../../functions/channels/cost-routes.js';
import { costCsvLimits, currencyPattern, defaultCurrency, type LayoutId, layoutIds } from '../../functions/channels/domain/cost-csv.js';
import { costTotals } from '../../functions/channels/domain/costs.js';
import { ClientError } from '../../functions/shared/errors.js';
import { repoRoot } from '../../local/runtime/context.js';

type Options = Record<string, string | boolean | undefined>;

/** The cost currency: --currency, else env CURRENCY, else cdk.json's `nurture:currency`, else JPY. */
function currencyOf(opts: Options): string {
  let fromCdk: unknown;
  try {
    fromCdk = (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context?.['nurture:currency'];
  } catch {
    fromCdk = undefined;
  }
  const c = String(opts.currency ?? process.env.CURRENCY ?? fromCdk ?? defaultCurrency);
  if (!currencyPattern.test(c)) throw new Error(`--currency: ${c} is not an ISO 4217 code such as JPY`);
  return c;
}

function connect(opts: Options) {
  const { doc, table } = tableClient(opts);
  const ports: CostRoutePorts = { costs: new DynamoCostStore(doc, table), registry: new DynamoRegistryStore(doc, table), currency: currencyOf(opts), now: () => new Date() };
  return { doc, ports };
}

const connection = (c: Command) =>
  tableOptions(c).option('--currency <code>', "the deployment's currency (default: env CURRENCY, cdk.json nurture:currency, JPY)");

export function registerChannelCosts(channels: Command): void {
  connection(
    channels
      .command('import-costs')
      .description('Import ad spend per medium, campaign and day from a CSV file (all rows or none; a day imported again is replaced)')
      .argument('<file>', 'the CSV file as the ad platform exports it, or in cli/samples/ad-costs-template.csv')
      .option('--medium <id>', "the medium id of every row (overrides the layout's: google-ads, meta-ads, …)")
      .option('--layout <layout>', `force a layout: ${layoutIds.join(', ')}`),
  ).action(async (file: string, opts: Options) => {
    if (opts.layout !== undefined && !(layoutIds as readonly string[]).includes(String(opts.layout))) throw new Error(`--layout: one of ${layoutIds.join(', ')}`);
    if (statSync(file).size > costCsvLimits.maxBytes) throw new Error(`${file}: larger than ${costCsvLimits.maxBytes} bytes: split it by month`);
    const { doc, ports } = connect(opts);
    const bar = new SingleBar({ format: '{phase} |{bar}| {value}/{total} month items', hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    let started = false;
    try {
      const result = await importCostFile(
        readFileSync(file),
        { ...(opts.medium ? { medium: String(opts.medium) } : {}), ...(opts.layout ? { layout: opts.layout as LayoutId } : {}) },
        ports,
        (phase, done, total) => {
          if (!started) bar.start(total, 0, { phase });
          started = true;
          bar.setTotal(Math.max(total, 1));
          bar.update(phase === 'done' ? Math.max(total, 1) : done, { phase: phase === 'read' ? 'reading' : phase === 'write' ? 'writing' : 'written' });
        },
      );
      if (started) bar.stop();
      console.log(
        `${result.imported} rows of ${result.days} days imported (${result.layout} layout, ${result.media.join(', ')}, ${result.currency}): ` +
          `${result.monthsWritten} month items written, ${result.monthsUnchanged} already the same`,
      );
    } catch (err) {
      if (started) bar.stop();
      if (!(err instanceof ClientError)) throw err;
      const errors = (err.details.errors ?? []) as { line: number; field: string; message: string }[];
      for (const e of errors) console.error(`${file}:${e.line}: ${e.field}: ${e.message}`);
      const more = Number(err.details.errorCount ?? errors.length) - errors.length;
      console.error(`${err.message}${more > 0 ? ` (${more} more not listed)` : ''}`);
      process.exitCode = 1;
    } finally {
      doc.destroy();
    }
  });

  connection(
    channels
      .command('costs')
      .description('Ad costs of a range: totals per medium and campaign')
      .requiredOption('--from <day>', 'first UTC day, YYYY-MM-DD')
      .requiredOption('--to <day>', 'last UTC day, YYYY-MM-DD')
      .option('--medium <id>', 'one medium only')
      .option('--json', 'print the rows and totals as JSON'),
  ).action(async (opts: Options) => {
    for (const k of ['from', 'to'] as const) if (!/^\d{4}-\d{2}-\d{2}$/.test(String(opts[k]))) throw new Error(`--${k}: a day YYYY-MM-DD`);
    const { doc, ports } = connect(opts);
    try {
      const rows = await ports.costs.costs(String(opts.from), String(opts.to), opts.medium ? String(opts.medium) : undefined);
      const totals = costTotals(rows);
      if (opts.json) {
        console.log(JSON.stringify({ currency: ports.currency, rows, totals }, null, 2));
        return;
      }
      if (totals.length === 0) console.log('no costs in that range');
      for (const t of totals) {
        console.log(`${t.medium.padEnd(16)} ${(t.campaign === '*' ? '(all campaigns)' : t.campaign).padEnd(32)} ${String(t.cost).padStart(14)} ${ports.currency}  ${t.impressions} impr.  ${t.clicks} clicks  ${t.days} days`);
      }
    } finally {
      doc.destroy();
    }
  });
}
