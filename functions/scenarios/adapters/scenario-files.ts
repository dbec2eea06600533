/**
 * Scenario files on disk: the folder CDK deploys (statemachines/), the CLI validates and local mode runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type DocumentCheck, parseScenario } from '../domain/load.js';
import type { Scenario } from '../domain/schema.js';

export const scenarioExtensions = ['.yaml', '.yml', '.json'];

/** Scenario files of a folder, sorted by name. */
export function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => scenarioExtensions.includes(extname(f)) && !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads one file; its id must match the file name so a file always deploys as the same state machine. */
export function loadScenarioFile(file: string, checks: DocumentCheck[] = []): Scenario {
  const stem = basename(file, extname(file));
  const idMatchesFile: DocumentCheck = (doc) => {
    const id = (doc as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id !== stem ? [{ path: 'id', message: `"${id}" must match the file name "${stem}"` }] : [];
  };
  return parseScenario(readFileSync(file, 'utf8'), basename(file), [idMatchesFile, ...checks]);
}

/** Loads every scenario of a folder; ids are unique by construction (one file per id). */
export function loadScenarios(dir: string): Scenario[] {
  return scenarioFiles(dir).map((file) => loadScenarioFile(file));
}
