/**
 * Reads scenario documents (YAML or JSON) into validated scenarios. Used by CDK, the local runtime and the
 * CLI; never by a Lambda (it brings the yaml parser and full zod).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { type Scenario, scenarioSchema } from './schema.js';
import { checkGraph } from './validate.js';

/** `steps[2].paths[0].next` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Validates a parsed document: schema first (with field paths), then the step graph. */
export function validateScenario(doc: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ScenarioError(
      source,
      parsed.error.issues.map((i): ScenarioIssue => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  const issues = checkGraph(parsed.data);
  if (issues.length > 0) throw new ScenarioError(source, issues);
  return parsed.data;
}

/** Parses YAML (JSON is YAML too) and validates it. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const line = err instanceof YAMLParseError ? ` (line ${err.linePos?.[0].line ?? '?'})` : '';
    throw new ScenarioError(source, [{ path: '', message: `not valid YAML${line}: ${(err as Error).message.split('\n')[0]}` }]);
  }
  return validateScenario(doc, source);
}

export const scenarioExtensions = ['.yaml', '.yml', '.json'];

/** Scenario files of a folder, sorted by name. */
export function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => scenarioExtensions.includes(extname(f)) && !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads one file; its id must match the file name so a file always deploys as the same state machine. */
export function loadScenarioFile(file: string): Scenario {
  const scenario = parseScenario(readFileSync(file, 'utf8'), basename(file));
  const stem = basename(file, extname(file));
  if (scenario.id !== stem) {
    throw new ScenarioError(basename(file), [{ path: 'id', message: `"${scenario.id}" must match the file name "${stem}"` }]);
  }
  return scenario;
}

/** Loads every scenario of a folder; ids are unique by construction (one file per id). */
export function loadScenarios(dir: string): Scenario[] {
  return scenarioFiles(dir).map(loadScenarioFile);
}
