/**
 * Conditions and filters of scenario documents, and their evaluation. Pure: the scenario-steps and enroll
 * functions gather the facts (profile, activity counts), this module decides. Types only, no zod, so a
 * Lambda bundle that evaluates conditions does not carry the document schema.
 */
import { touchFields } from '../../profiles/domain/touch.js';
import { durationSeconds } from './duration.js';

export type Scalar = string | number | boolean;

/**
 * One test on one value. A bare scalar means `equals`. Semantics follow EventBridge event patterns, so a
 * trigger filter means the same on the bus as in a branch: a missing value matches only `exists: false`.
 */
export interface FilterOps {
  equals?: Scalar;
  notEquals?: Scalar;
  in?: Scalar[];
  notIn?: Scalar[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  exists?: boolean;
  prefix?: string;
}
export type Filter = Scalar | FilterOps;
/** Filters on fields of an event (`properties.total`, `to`), keyed by dotted path. */
export type Where = Record<string, Filter>;

/**
 * Profile fields a condition can read (`lifecycle` is the customer lifecycle state as last stored:
 * scoring/domain/lifecycle.ts; `traits.<name>`, `categories.<name>` for a category score,
 * `firstTouch.<field>` / `lastTouch.<field>` for where the person came from: profiles/domain/touch.ts).
 */
export type ProfileField = string;
export const profileFieldRe = new RegExp(
  `^(score|stage|lifecycle|known|email|timezone|traits\\.[A-Za-z0-9_]{1,64}|categories\\.[A-Za-z0-9_-]{1,64}|(firstTouch|lastTouch)\\.(${touchFields.join('|')}))$`,
);

export type FieldCondition = { field: ProfileField } & FilterOps;

/**
 * "Did X at least N times within D": counts the profile's activity history. The history keeps each
 * event's name, type and page path (not its properties), so that is what a behaviour can test.
 */
export interface BehaviourCondition {
  /** Event name; `Page Viewed` counts page views. */
  did: string;
  /** For page views: the page path, exact, or a prefix when it ends with `*`. */
  path?: string;
  within: string;
  atLeast?: number;
  atMost?: number;
}

/** Whether the person opened / clicked the email this journey sent last. */
export interface LastEmailCondition {
  lastEmail: 'opened' | 'clicked' | 'notOpened' | 'notClicked';
}

export type Condition =
  | FieldCondition
  | BehaviourCondition
  | LastEmailCondition
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export type AtomicCondition = FieldCondition | BehaviourCondition | LastEmailCondition;

export function isField(c: Condition): c is FieldCondition {
  return 'field' in c;
}
export function isBehaviour(c: Condition): c is BehaviourCondition {
  return 'did' in c;
}
export function isLastEmail(c: Condition): c is LastEmailCondition {
  return 'lastEmail' in c;
}

/** The leaves of a condition tree, in document order (their index is their id: c0, c1, ...). */
export function atomsOf(conditions: readonly Condition[]): AtomicCondition[] {
  const out: AtomicCondition[] = [];
  const walk = (c: Condition) => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else out.push(c);
  };
  conditions.forEach(walk);
  return out;
}

/** Combines leaf results (in atomsOf order) through all/any/not; a list of conditions means all. */
export function combine(conditions: readonly Condition[], results: readonly boolean[]): boolean {
  let i = 0;
  const evalOne = (c: Condition): boolean => {
    if ('all' in c) return c.all.map(evalOne).every(Boolean);
    if ('any' in c) return c.any.map(evalOne).some(Boolean);
    if ('not' in c) return !evalOne(c.not);
    return results[i++] ?? false;
  };
  // map first, then reduce: every leaf must consume its index even after a false result.
  return conditions.map(evalOne).every(Boolean);
}

/** Value at a dotted path of an object (`properties.total`). */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Normalizes a bare scalar to `{ equals }`. */
export function opsOf(filter: Filter): FilterOps {
  return typeof filter === 'object' ? filter : { equals: filter };
}

/** Whether `value` passes the filter (EventBridge semantics: missing fails unless `exists: false`). */
export function matchesFilter(filter: Filter, value: unknown): boolean {
  const ops = opsOf(filter);
  if (ops.exists !== undefined) return ops.exists ? value !== undefined && value !== null : value === undefined || value === null;
  if (value === undefined || value === null) return false;
  const values = Array.isArray(value) ? value : [value];
  if (ops.equals !== undefined) return values.some((v) => v === ops.equals);
  if (ops.notEquals !== undefined) return values.every((v) => v !== ops.notEquals);
  if (ops.in !== undefined) return values.some((v) => ops.in!.includes(v as Scalar));
  if (ops.notIn !== undefined) return values.every((v) => !ops.notIn!.includes(v as Scalar));
  if (ops.prefix !== undefined) return values.some((v) => typeof v === 'string' && v.startsWith(ops.prefix!));
  const numeric = values.filter((v): v is number => typeof v === 'number');
  return numeric.some(
    (v) =>
      (ops.gt === undefined || v > ops.gt) &&
      (ops.gte === undefined || v >= ops.gte) &&
      (ops.lt === undefined || v < ops.lt) &&
      (ops.lte === undefined || v <= ops.lte),
  );
}

export function matchesWhere(where: Where | undefined, subject: unknown): boolean {
  return Object.entries(where ?? {}).every(([path, filter]) => matchesFilter(filter, valueAt(subject, path)));
}

/** What conditions read of a profile (the stored item, unmarshalled). */
export interface ProfileView {
  stage?: string;
  /** Customer lifecycle state (prospect, new, active, loyal, at_risk, churned), when the processor stored one. */
  lifecycle?: string;
  known?: boolean;
  email?: string;
  timezone?: string;
  traits?: Record<string, unknown>;
  score?: { value?: number; categories?: Record<string, number> };
  firstTouch?: object;
  lastTouch?: object;
}

/**
 * The value of a profile field. `score` is the score as of the profile's last scored event (decay since
 * then is not applied: the scoring processor owns decay and rewrites the score on the next event).
 */
export function fieldValue(profile: ProfileView | undefined, field: ProfileField): unknown {
  if (!profile) return undefined;
  if (field === 'score') return profile.score?.value;
  if (field.startsWith('traits.')) return profile.traits?.[field.slice(7)];
  if (field.startsWith('categories.')) return profile.score?.categories?.[field.slice(11)];
  if (field.startsWith('firstTouch.')) return (profile.firstTouch as Record<string, unknown> | undefined)?.[field.slice(11)];
  if (field.startsWith('lastTouch.')) return (profile.lastTouch as Record<string, unknown> | undefined)?.[field.slice(10)];
  return (profile as Record<string, unknown>)[field];
}

/** One item of a person's activity history, as behaviour conditions read it. */
export interface Activity {
  event: string;
  occurredAt: string;
  path?: string;
}

/** Whether an activity counts for a behaviour condition (event name, page path). */
export function activityMatches(c: BehaviourCondition, a: Activity): boolean {
  if (a.event !== c.did) return false;
  if (c.path === undefined) return true;
  if (typeof a.path !== 'string') return false;
  return c.path.endsWith('*') ? a.path.startsWith(c.path.slice(0, -1)) : a.path === c.path;
}

/** Start of a behaviour condition's window (ISO), `now` minus `within`. */
export function windowStart(c: BehaviourCondition, now: Date): string {
  return new Date(now.getTime() - durationSeconds(c.within) * 1000).toISOString();
}

/** `atLeast` defaults to 1 ("did it"), or to 0 when only `atMost` is given ("did it at most N times"). */
export function behaviourHolds(c: BehaviourCondition, count: number): boolean {
  const atLeast = c.atLeast ?? (c.atMost === undefined ? 1 : 0);
  return count >= atLeast && (c.atMost === undefined || count <= c.atMost);
}

/** Engagement with the journey's last email, as read from the activity history. */
export interface LastEmailFacts {
  opened: boolean;
  clicked: boolean;
}

/** Facts an evaluation needs; behaviour counts are per atom index. */
export interface Facts {
  profile?: ProfileView;
  behaviourCounts: ReadonlyMap<number, number>;
  lastEmail?: LastEmailFacts;
}

/** Evaluates every leaf (in atomsOf order) against gathered facts. */
export function evaluateAtoms(atoms: readonly AtomicCondition[], facts: Facts): boolean[] {
  return atoms.map((atom, i) => {
    if (isField(atom)) {
      const { field, ...ops } = atom;
      return matchesFilter(ops, fieldValue(facts.profile, field));
    }
    if (isBehaviour(atom)) return behaviourHolds(atom, facts.behaviourCounts.get(i) ?? 0);
    const e = facts.lastEmail ?? { opened: false, clicked: false };
    switch (atom.lastEmail) {
      case 'opened':
        return e.opened;
      case 'clicked':
        return e.clicked;
      case 'notOpened':
        return !e.opened;
      case 'notClicked':
        return !e.clicked;
    }
  });
}

/** Evaluates a list of conditions (all must hold) against gathered facts. */
export function evaluate(conditions: readonly Condition[], facts: Facts): boolean {
  return combine(conditions, evaluateAtoms(atomsOf(conditions), facts));
}

/** A readable one-line rendering of a condition, for simulate output and ASL comments. */
export function describeCondition(c: Condition): string {
  if ('all' in c) return `(${c.all.map(describeCondition).join(' and ')})`;
  if ('any' in c) return `(${c.any.map(describeCondition).join(' or ')})`;
  if ('not' in c) return `not ${describeCondition(c.not)}`;
  if (isLastEmail(c)) return `last email ${c.lastEmail}`;
  if (isBehaviour(c)) {
    const what = c.path ? `${c.did} ${c.path}` : c.did;
    const times = c.atMost !== undefined ? `${c.atLeast ?? 0}..${c.atMost}` : `≥ ${c.atLeast ?? 1}`;
    return `${what} ${times} times in ${c.within}`;
  }
  const { field, ...ops } = c;
  return `${field} ${describeOps(ops)}`;
}

export function describeWhere(where: Where): string {
  return Object.entries(where)
    .map(([k, f]) => `${k} ${describeOps(opsOf(f))}`)
    .join(', ');
}

function describeOps(ops: FilterOps): string {
  const parts: string[] = [];
  if (ops.equals !== undefined) parts.push(`= ${JSON.stringify(ops.equals)}`);
  if (ops.notEquals !== undefined) parts.push(`≠ ${JSON.stringify(ops.notEquals)}`);
  if (ops.in !== undefined) parts.push(`in ${JSON.stringify(ops.in)}`);
  if (ops.notIn !== undefined) parts.push(`not in ${JSON.stringify(ops.notIn)}`);
  if (ops.gt !== undefined) parts.push(`> ${ops.gt}`);
  if (ops.gte !== undefined) parts.push(`≥ ${ops.gte}`);
  if (ops.lt !== undefined) parts.push(`< ${ops.lt}`);
  if (ops.lte !== undefined) parts.push(`≤ ${ops.lte}`);
  if (ops.exists !== undefined) parts.push(ops.exists ? 'exists' : 'is missing');
  if (ops.prefix !== undefined) parts.push(`starts with ${JSON.stringify(ops.prefix)}`);
  return parts.join(' and ');
}
