/**
 * A pure IAM identity-policy evaluator: what AWS decides for one principal, one action and one resource,
 * given the statements of that principal's policies. No I/O.
 *
 * Rules (IAM's policy evaluation logic, identity-based policies only):
 * - an explicit Deny that matches wins over every Allow;
 * - otherwise a matching Allow allows;
 * - otherwise the request is implicitly denied.
 * A statement matches when its Action (or NotAction), its Resource (or NotResource) and every condition
 * match. Action names match case-insensitively, ARNs case-sensitively; `*` and `?` are wildcards in both.
 * A condition operator this evaluator does not know makes its statement fail closed: an Allow does not
 * apply (and says why), a Deny applies, so an unmodelled policy never grants more locally than on AWS.
 */

/** One statement of an IAM policy document, with every token already resolved to a string. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Values of condition keys in the request context (a key that is absent is simply not there). */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthzRequest {
  /** `service:Operation`, e.g. `dynamodb:Query`. */
  readonly action: string;
  /** The resource ARN the action needs (`*` for actions without resource-level permissions). */
  readonly resource: string;
  readonly context?: ConditionContext;
}

export type Decision =
  | { readonly allowed: true; readonly statement: Statement }
  | { readonly allowed: false; readonly explicit: boolean; readonly statement?: Statement; readonly reason: string };

/** Condition operators the evaluator understands (with the `IfExists` suffix and set prefixes too). */
export const knownOperators = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Bool',
  'Null',
] as const;

const asList = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

/** Compiled wildcard patterns: a policy set has a few hundred, each matched on every call. */
const compiled = new Map<string, RegExp>();

function globRegExp(pattern: string, flags = ''): RegExp {
  const key = `${flags}:${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, flags);
    compiled.set(key, re);
  }
  return re;
}

/** `service:Action` against a policy's action pattern (case-insensitive, wildcards). */
export function actionMatches(pattern: string, action: string): boolean {
  return globRegExp(pattern, 'i').test(action);
}

/**
 * An ARN against a policy's resource pattern. The first five colon-separated parts (arn, partition,
 * service, region, account) match one by one; the rest (the resource, which may hold colons) as a whole.
 */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return globRegExp(pattern).test(arn);
  return p.every((part, i) => globRegExp(part).test(a[i]!));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

interface ConditionResult {
  readonly matches: boolean;
  /** Set when the statement used an operator this evaluator does not model. */
  readonly unknown?: string;
}

function valueMatches(base: string, policyValue: string, contextValue: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return policyValue === contextValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return policyValue.toLowerCase() === contextValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return globRegExp(policyValue).test(contextValue);
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return resourceMatches(policyValue, contextValue);
    case 'Bool':
      return policyValue.toLowerCase() === contextValue.toLowerCase();
    default:
      return false;
  }
}

/** One `Operator: { key: values }` block: every key must match (AND); a key's values are ORed. */
function operatorMatches(operator: string, block: Readonly<Record<string, unknown>>, context: ConditionContext): ConditionResult {
  let rest = operator;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  for (const prefix of ['ForAnyValue:', 'ForAllValues:'] as const) {
    if (rest.startsWith(prefix)) {
      set = prefix.slice(0, -1) as 'ForAnyValue' | 'ForAllValues';
      rest = rest.slice(prefix.length);
    }
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (!(knownOperators as readonly string[]).includes(base)) return { matches: false, unknown: operator };
  const negated = base.includes('Not') && base !== 'Null';

  for (const [key, raw] of Object.entries(block)) {
    const policyValues = (Array.isArray(raw) ? raw : [raw]).map(String);
    const contextValues = asList(context[key]);
    if (base === 'Null') {
      // "true": the key must be absent; "false": present.
      const absent = contextValues.length === 0;
      if (!policyValues.some((v) => (v.toLowerCase() === 'true') === absent)) return { matches: false };
      continue;
    }
    if (contextValues.length === 0) {
      // Absent key: IfExists and ForAllValues match; negated operators match; the rest do not.
      if (ifExists || set === 'ForAllValues' || (negated && set !== 'ForAnyValue')) continue;
      return { matches: false };
    }
    const one = (cv: string) => policyValues.some((pv) => valueMatches(base, pv, cv));
    let ok: boolean;
    if (set === 'ForAllValues') ok = contextValues.every(one);
    else ok = contextValues.some(one);
    if (negated) {
      ok = set === 'ForAllValues' ? contextValues.every((cv) => !one(cv)) : set === 'ForAnyValue' ? contextValues.some((cv) => !one(cv)) : !contextValues.some(one);
    }
    if (!ok) return { matches: false };
  }
  return { matches: true };
}

function conditionsMatch(statement: Statement, context: ConditionContext): ConditionResult {
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    const r = operatorMatches(operator, block, context);
    if (!r.matches) return r;
  }
  return { matches: true };
}

function statementApplies(s: Statement, req: AuthzRequest): boolean {
  const actionOk = s.Action !== undefined
    ? asList(s.Action).some((p) => actionMatches(p, req.action))
    : s.NotAction !== undefined && !asList(s.NotAction).some((p) => actionMatches(p, req.action));
  if (!actionOk) return false;
  return s.Resource !== undefined
    ? asList(s.Resource).some((p) => resourceMatches(p, req.resource))
    : s.NotResource !== undefined && !asList(s.NotResource).some((p) => resourceMatches(p, req.resource));
}

/** The decision for one action on one resource under `statements`. */
export function evaluate(statements: readonly Statement[], req: AuthzRequest): Decision {
  const context = req.context ?? {};
  let allow: Statement | undefined;
  let unknown: string | undefined;
  for (const s of statements) {
    if (!statementApplies(s, req)) continue;
    const cond = conditionsMatch(s, context);
    if (s.Effect === 'Deny') {
      // Fail closed: a Deny whose condition cannot be evaluated is taken as matching.
      if (cond.matches || cond.unknown) {
        return { allowed: false, explicit: true, statement: s, reason: `with an explicit deny in an identity-based policy${cond.unknown ? ` (condition operator ${cond.unknown} is not modelled locally)` : ''}` };
      }
      continue;
    }
    if (cond.matches) allow ??= s;
    else if (cond.unknown) unknown ??= cond.unknown;
  }
  if (allow) return { allowed: true, statement: allow };
  return {
    allowed: false,
    explicit: false,
    reason: unknown
      ? `because local mode cannot evaluate the condition operator ${unknown} of the statement that would allow ${req.action} (treated as not allowing)`
      : `because no identity-based policy allows the ${req.action} action`,
  };
}
