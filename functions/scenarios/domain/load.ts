/**
 * Reads scenario documents (YAML or JSON) into validated scenarios. Used by CDK, the local runtime and the
 * CLI; never by a Lambda (it brings the yaml parser and full zod).
 */
import { checkSchema, fieldName, locate, type Problem, readYaml, sortProblems, type YamlText } from '../../shared/validation.js';
import { ScenarioError, type ScenarioIssue } from '../errors.js';
import { scenarioLimits } from './limits.js';
import { type Scenario, scenarioSchema, step } from './schema.js';
import { checkGraph, checkStepGraph, draftGraphOf } from './validate.js';

/** `steps[2].paths[0].next` from zod's path array. */
export const formatPath = (path: readonly PropertyKey[]): string => (path.length ? fieldName(path) : '');

/** A check beyond the document itself (e.g. that its templates exist), given the document as written. */
export type DocumentCheck = (doc: unknown) => ScenarioIssue[];

export interface ValidateOptions {
  /** The parsed text, so that every issue names its line. */
  yaml?: YamlText;
  checks?: DocumentCheck[];
}

const issueOf = (p: Problem): ScenarioIssue => {
  const { field, ...rest } = p;
  return { path: field === '(document)' ? '' : field, ...rest };
};

/**
 * Validates a parsed document and reports every problem at once: the schema's (with field paths and
 * "did you mean"), the step graph's (also when some step is invalid), what the scenario means (once it is
 * valid), and the extra checks'. A graph or extra issue on a field the schema already faulted is dropped.
 */
export function validateScenario(doc: unknown, source = 'scenario', opts: ValidateOptions = {}): Scenario {
  const { data, problems } = checkSchema(scenarioSchema, doc, opts.yaml);
  const rawSteps = (doc as { steps?: unknown } | null)?.steps;
  const graph = data
    ? checkGraph(data)
    : Array.isArray(rawSteps) && rawSteps.length <= scenarioLimits.maxSteps
      ? checkStepGraph(draftGraphOf(rawSteps, (raw) => (step.safeParse(raw) as { data?: Scenario['steps'][number] }).data))
      : [];
  const faulted = new Set(problems.map((p) => p.field));
  const more = [...graph, ...(opts.checks ?? []).flatMap((check) => check(doc))]
    .filter((i) => !faulted.has(i.path))
    .map((i) => ({ ...i, ...locate(opts.yaml, i.path) }));
  const issues = sortProblems([...problems.map(issueOf), ...more]);
  if (issues.length > 0 || !data) throw new ScenarioError(source, issues);
  return data;
}

/** Parses YAML (JSON is YAML too) and validates it; syntax errors come with their lines. */
export function parseScenario(text: string, source = 'scenario', checks: DocumentCheck[] = []): Scenario {
  const read = readYaml(text);
  if (read.problems.length > 0) throw new ScenarioError(source, read.problems.map((p) => ({ ...issueOf(p), message: `not valid YAML: ${p.message}` })));
  return validateScenario(read.value, source, { yaml: read.yaml, checks });
}

/** The send steps of a document as written, with the template each names (for existence checks). */
export function sendTemplates(doc: unknown): { path: string; template: string }[] {
  const steps = (doc as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((s: unknown, i) => {
    const { type, template } = (s ?? {}) as { type?: unknown; template?: unknown };
    return type === 'send' && typeof template === 'string' ? [{ path: `steps[${i}].template`, template }] : [];
  });
}
