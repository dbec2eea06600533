import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where benchmarks leave their measured figures; the cost model reads them (committed, so a fresh clone
 * has them). The CLI owns the format: bench/ writes it, `nurture cost` reads it without loading bench/.
 */
export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'results');

export interface BenchResult {
  bench: string;
  measuredAt: string;
  machine: string;
  figures: Record<string, number>;
}

export function loadResults(bench: string): BenchResult | undefined {
  try {
    return JSON.parse(readFileSync(join(resultsDir, `${bench}.json`), 'utf8')) as BenchResult;
  } catch {
    return undefined;
  }
}
