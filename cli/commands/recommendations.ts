/**
 * `nurture recommendations build`: the model build now, with the operator's credentials (locally: a
 * running npm start's DynamoDB and the local lake; --aws: the deployed table and Athena). The same use
 * case the daily `recommendationsBuild` function runs.
 */
import type { Command } from 'commander';
import { DuckDbEngine } from '../../functions/analytics/adapters/duckdb-engine.js';
import { buildPorts } from '../../functions/recommendations/adapters/build-ports.js';
import { buildLimits } from '../../functions/recommendations/domain/build.js';
import { type BuildReport, runBuild } from '../../functions/recommendations/domain/run-build.js';
import { engineFor } from './analytics.js';
import type { RegisterCommands } from './register.js';
import { tableClient, tableOptions } from './table-client.js';

/** A few lines for a terminal. */
export function formatBuildReport(r: BuildReport): string {
  const f = r.figures;
  return [
    `window        ${r.window.from} → ${r.window.to} (${r.window.days} days)`,
    `baskets       ${f.boughtBaskets} orders, ${f.viewedBaskets} viewing days; ${f.products} products`,
    `pairs         ${f.boughtPairs} bought together, ${f.viewedPairs} viewed together (at the minimum support)`,
    `lists         ${f.lists['bought-together']} bought-together, ${f.lists['viewed-together']} viewed-together, ${f.lists.popular} popular`,
    `deleted       ${r.deleted['bought-together']} + ${r.deleted['viewed-together']} + ${r.deleted.popular} stale lists`,
    `catalog       ${r.productsLearnt} products learnt from events`,
    `time          lake ${r.timings.countsMs} ms, model ${r.timings.modelMs} ms, writes ${r.timings.writeMs} ms`,
  ].join('\n');
}

export const registerRecommendations: RegisterCommands = (program: Command) => {
  const rec = program.command('recommendations').description('Recommendation models and catalog');
  const cmd = rec
    .command('build')
    .description('Build the recommendation models from the event lake now (as the daily 04:00 UTC run does)')
    .option('--days <n>', `days of the lake to read, at most ${buildLimits.maxWindowDays}`, String(buildLimits.defaultWindowDays))
    .option('--lake <folder>', 'local lake folder (default: LAKE_DIR, else <NURTURE_DATA_DIR or .nurture/data>/lake)')
    .option('--aws', 'read Athena and write the deployed table with your AWS credentials instead of local mode')
    .option('--workgroup <name>', 'Athena workgroup (with --aws)', 'nurture-reports')
    .option('--database <name>', 'Glue database of the lake (with --aws)', 'nurture_lake')
    .option('--json', 'print the report as JSON');
  tableOptions(cmd, false).action(async (opts: Record<string, string | boolean | undefined>) => {
    const engine = await engineFor(opts);
    const { doc, table } = tableClient(opts);
    try {
      const report = await runBuild(buildPorts(async () => engine, doc, table), { now: new Date(), days: Number(opts.days) || buildLimits.defaultWindowDays });
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatBuildReport(report));
    } finally {
      if (engine instanceof DuckDbEngine) engine.close();
      doc.destroy();
    }
  });
};
