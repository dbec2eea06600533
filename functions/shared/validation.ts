/**
 * Validation of the documents marketers write (scoring rules, scenarios, template front matter): every
 * problem of a document in one run, each at the line of the mistake, with "did you mean" for a misspelt key
 * or value. Pure: the yaml parser and zod, no I/O.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import * as core from 'zod/v4/core';
import './zod-messages.js';
import { type Problem, sortProblems } from './problems.js';
import { closest } from './suggest.js';

export { describeProblem, formatProblem, type Problem, sortProblems } from './problems.js';

/** A parsed YAML (or JSON) text, kept with its node positions so problems can name their line. */
export interface YamlText {
  doc: Document;
  lineCounter: LineCounter;
  /** Lines before the YAML in its file (front matter starts on the file's second line: 1). */
  lineOffset: number;
}

/** A list shows the allowed keys in an unknown-key message only up to this many (beyond, it is noise). */
const maxKeysListed = 12;

/** Parses YAML and reports every syntax error the parser finds; `value` is undefined when there is one. */
export function readYaml(text: string, lineOffset = 0): { yaml: YamlText; value: unknown; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yaml = { doc, lineCounter, lineOffset };
  const problems = doc.errors.map((e) => ({
    field: '(yaml)',
    ...position(yaml, e.pos[0]),
    message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
  }));
  if (problems.length > 0) return { yaml, value: undefined, problems };
  try {
    return { yaml, value: doc.toJS() as unknown, problems };
  } catch (err) {
    return { yaml, value: undefined, problems: [{ field: '(yaml)', line: 1 + lineOffset, message: (err as Error).message }] };
  }
}

function position(yaml: YamlText, offset: number): { line: number; column: number } {
  const { line, col } = yaml.lineCounter.linePos(offset);
  return { line: line + yaml.lineOffset, column: col };
}

/** `rules[3].points` from `['rules', 3, 'points']`. */
export function fieldName(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
  return text || '(document)';
}

/** `['steps', 0, 'next']` from `steps[0].next`. */
export function fieldPath(field: string): (string | number)[] {
  if (field.startsWith('(')) return [];
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/**
 * Where a field is written: the line of its key (or list item). A field that is missing points at the
 * nearest thing that is there (the object that lacks it).
 */
export function locate(yaml: YamlText | undefined, path: readonly PropertyKey[] | string): { line?: number; column?: number } {
  if (!yaml) return {};
  const segments = typeof path === 'string' ? fieldPath(path) : path;
  let node: unknown = yaml.doc.contents;
  let at: Node | undefined = isNode(node) ? node : undefined;
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(yaml.doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      at = isNode(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && isNode(node.items[seg])) {
      node = node.items[seg];
      at = node as Node;
    } else break;
  }
  return at?.range ? position(yaml, at.range[0]) : {};
}

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'range' in x;
}

// ---- zod schema problems ------------------------------------------------------------------------------

type Schema = core.$ZodType;
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: Issue[][];
  expected?: string;
  values?: unknown[];
  options?: unknown[];
  discriminator?: string;
  issues?: Issue[];
}

const alternatives = new WeakMap<object, (value: unknown) => Schema[]>();
/**
 * Tells the unknown-key finder which schemas a hand-written chooser (a transform that picks a shape by the
 * value) may apply, since zod cannot see inside it.
 */
export function declareAlternatives<S extends Schema>(schema: S, pick: (value: unknown) => Schema[]): S {
  alternatives.set(schema, pick);
  return schema;
}

/**
 * Validates `value` against `schema` and returns every problem: unknown keys one by one with the closest
 * allowed key, unknown enum values with the closest allowed value, each at its line in `yaml` when given.
 */
export function checkSchema<S extends Schema>(schema: S, value: unknown, yaml?: YamlText): { data?: core.output<S>; problems: Problem[] } {
  const parsed = core.safeParse(schema, value);
  if (parsed.success) return { data: parsed.data, problems: [] };
  const found = flatten(parsed.error.issues as unknown as Issue[], [], value).flatMap((issue) => toProblems(issue, schema, value));
  // "points is missing" says nothing more than "unknown key pionts, did you mean points"; and a check of
  // the object that holds the misspelt key ("needs one test") judged the typo, not what was meant.
  const typos = found.filter((f) => f.problem.suggestion && f.unknownKey);
  const meant = new Set(typos.map((f) => fieldName([...f.path.slice(0, -1), f.problem.suggestion!])));
  const judged = new Set(typos.map((f) => fieldName(f.path.slice(0, -1))));
  const kept = found.filter((f) => !(f.missing && meant.has(f.problem.field)) && !(f.custom && judged.has(f.problem.field)));
  return { problems: sortProblems(kept.map((f) => ({ ...f.problem, ...locate(yaml, f.path) }))) };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

/** Turns union failures into the issues of the option the value was evidently meant for, paths absolute. */
function flatten(issues: Issue[], prefix: PropertyKey[], root: unknown): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || !issue.errors?.length) return [{ ...issue, path }];
    const fitting = issue.errors.filter((errs) => !errs.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')));
    if (fitting.length === 0) {
      // No option fits the value's type: one issue for the union, naming what would.
      const roots = issue.errors.flat();
      const values = roots.flatMap((e) => e.values ?? []);
      const input = valueAt(root, path);
      const words = values.filter((v) => typeof v === 'string');
      const expected = [...new Set(roots.flatMap((e) => (e.expected ? [e.expected] : (e.values ?? []).map((v) => JSON.stringify(v)))))];
      const message =
        issue.message !== 'Invalid input' || expected.length === 0
          ? issue.message
          : typeof input === 'string' && words.length > 0
            ? `"${input}" is not one of ${words.join(', ')}`
            : `expected ${expected.join(', ')}`;
      return [{ ...issue, path, message, errors: [], ...(values.length ? { values } : {}) }];
    }
    const misfit = (errs: Issue[]) =>
      errs.reduce((sum, e) => {
        const missing = e.code === 'invalid_type' && valueAt(root, [...path, ...e.path]) === undefined;
        if (e.code === 'invalid_value' && e.path.length === 1) return sum + 100; // a discriminating literal
        if (e.code === 'unrecognized_keys' && e.path.length === 0) return sum + 10 * (e.keys?.length ?? 1);
        return sum + (missing && e.path.length === 1 ? 10 : 1);
      }, 0);
    const best = fitting.reduce((a, b) => (misfit(b) < misfit(a) ? b : a));
    return flatten(best, path, root);
  });
}

interface Found {
  path: PropertyKey[];
  problem: Problem;
  unknownKey?: boolean;
  missing?: boolean;
  custom?: boolean;
}

function toProblems(issue: Issue, schema: Schema, root: unknown): Found[] {
  const input = valueAt(root, issue.path);
  const message = issue.message.replace(/^Invalid input: /, '');
  const at = (problem: Omit<Problem, 'field'>, path = issue.path): Found => ({ path, problem: { field: fieldName(path), ...problem } });
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = [...new Set(schemasAt(schema, issue.path, root).flatMap(shapeKeys))];
      return (issue.keys ?? []).map((key) => {
        const suggestion = closest(key, allowed);
        const list = !suggestion && allowed.length > 0 && allowed.length <= maxKeysListed ? ` (allowed: ${allowed.join(', ')})` : '';
        return { ...at({ message: `unknown key "${key}"${list}`, ...(suggestion ? { suggestion } : {}) }, [...issue.path, key]), unknownKey: true };
      });
    }
    case 'invalid_key':
      return [at({ message: `bad key: ${issue.issues?.[0]?.message ?? message}` })];
    case 'invalid_type':
      if (input === undefined) return [{ ...at({ message: `missing: ${message.replace(/, received undefined$/, '')}` }), missing: true }];
      break;
    case 'invalid_value':
    case 'invalid_union': {
      const allowed = (issue.options ?? issue.values ?? []).filter((v): v is string => typeof v === 'string');
      const suggestion = typeof input === 'string' ? closest(input, allowed) : undefined;
      const text =
        issue.code === 'invalid_union' && issue.discriminator && message === 'Invalid input'
          ? `unknown ${issue.discriminator} ${JSON.stringify(input)}: one of ${allowed.join(', ')}`
          : message.startsWith('Invalid option: expected one of ') && typeof input === 'string'
            ? `"${input}" is not one of ${allowed.join(', ')}`
            : message;
      return [at({ message: text, ...(suggestion ? { suggestion } : {}) })];
    }
  }
  return [{ ...at({ message }), custom: issue.code === 'custom' }];
}

interface Def {
  type: string;
  innerType?: Schema;
  getter?: () => Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  discriminator?: string;
  left?: Schema;
  right?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  valueType?: Schema;
  items?: Schema[];
  rest?: Schema | null;
}
const defOf = (s: Schema) => s._zod.def as unknown as Def;
/** Wrappers and unions go deeper this many levels at most (a recursive schema, like conditions, ends). */
const maxSchemaDepth = 24;

/** The concrete schemas (objects, arrays, scalars) a value at `path` is checked against. */
export function schemasAt(schema: Schema, path: readonly PropertyKey[], root: unknown): Schema[] {
  let value = root;
  let current = concrete(schema, value, 0);
  for (const seg of path) {
    value = valueAt(value, [seg]);
    current = current.flatMap((s) => childOf(s, seg)).flatMap((s) => concrete(s, value, 0));
  }
  return current;
}

function concrete(schema: Schema, value: unknown, depth: number): Schema[] {
  if (depth > maxSchemaDepth) return [];
  const deeper = (s: Schema | undefined) => (s ? concrete(s, value, depth + 1) : []);
  const pick = alternatives.get(schema);
  if (pick) return pick(value).flatMap(deeper);
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return deeper(def.innerType);
    case 'lazy':
      return deeper(def.getter?.());
    case 'pipe':
      return [...deeper(def.in), ...deeper(def.out)];
    case 'intersection':
      return [...deeper(def.left), ...deeper(def.right)];
    case 'union': {
      const options = def.options ?? [];
      const tag = def.discriminator && value && typeof value === 'object' ? (value as Record<string, unknown>)[def.discriminator] : undefined;
      const chosen = tag === undefined ? [] : options.filter((o) => o._zod.propValues?.[def.discriminator!]?.has(tag as string));
      return (chosen.length ? chosen : options).flatMap(deeper);
    }
    default:
      return [schema];
  }
}

function childOf(schema: Schema, seg: PropertyKey): Schema[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const own = def.shape?.[String(seg)];
      return own ? [own] : def.catchall && defOf(def.catchall).type !== 'never' ? [def.catchall] : [];
    }
    case 'array':
      return def.element ? [def.element] : [];
    case 'record':
      return def.valueType ? [def.valueType] : [];
    case 'tuple': {
      const item = typeof seg === 'number' ? def.items?.[seg] : undefined;
      return item ? [item] : def.rest ? [def.rest] : [];
    }
    default:
      return [];
  }
}

function shapeKeys(schema: Schema): string[] {
  const def = defOf(schema);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Text + schema in one call: syntax errors, or else every schema problem, each with its line. */
export function validateYaml<S extends Schema>(text: string, schema: S, lineOffset = 0): { data?: core.output<S>; value: unknown; yaml: YamlText; problems: Problem[] } {
  const read = readYaml(text, lineOffset);
  if (read.problems.length > 0) return { value: undefined, yaml: read.yaml, problems: read.problems };
  return { ...checkSchema(schema, read.value, read.yaml), value: read.value, yaml: read.yaml };
}
