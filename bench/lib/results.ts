import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, resultsDir } from '../../cli/bench-results.js';

/** Merges `figures` into bench/results/<bench>.json. */
export function saveResults(bench: string, figures: Record<string, number>): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${bench}.json`);
  let previous: Record<string, number> = {};
  try {
    previous = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult).figures;
  } catch {
    previous = {};
  }
  const result: BenchResult = {
    bench,
    measuredAt: new Date().toISOString(),
    machine: `${process.platform}-${process.arch}, ${cpus().length} cores, node ${process.version}`,
    figures: { ...previous, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 10_000) / 10_000])) },
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`figures saved to bench/results/${bench}.json`);
}
