import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod/mini';
import '../../shared/zod-messages.js';
import { InvalidRulesError } from '../errors.js';
import { stages } from '../../profiles/domain/profile.js';

/**
 * The scoring rules document that marketers edit (YAML), validated here. Kept in the content bucket at
 * `rules/scoring.yaml`; the repository's default is templates/rules/scoring.yaml.
 */

/** Most rules one document may hold (each costs a match test per event). */
export const maxRules = 200;
/**
 * Most `repeat.atLeast` over all rules of a document: each lead keeps that many event times per repeat
 * rule on its profile item, which is bounded (profiles/domain/profile.ts).
 */
export const maxRepeatTimes = 500;

/** A value test: a literal, a list (any of), or an operator object. */
const valueTest = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
  z.strictObject({
    equals: z.optional(z.union([z.string(), z.number(), z.boolean()])),
    in: z.optional(z.array(z.union([z.string(), z.number()]))),
    contains: z.optional(z.union([z.string(), z.array(z.string())])),
    glob: z.optional(z.union([z.string(), z.array(z.string())])),
    domain: z.optional(z.union([z.string(), z.array(z.string())])),
    gte: z.optional(z.number()),
    lte: z.optional(z.number()),
    exists: z.optional(z.boolean()),
  }),
]);
export type ValueTest = z.infer<typeof valueTest>;

const fieldTests = z.record(z.string(), valueTest);

const matchSchema = z.strictObject({
  /** Segment message type(s): track, page, screen, identify, alias, group. */
  type: z.optional(z.union([z.string(), z.array(z.string())])),
  /** Event name(s) of track calls (e.g. "Order Completed"). */
  event: z.optional(z.union([z.string(), z.array(z.string())])),
  /** Page path glob(s): `*` within a segment, `**` across segments, e.g. /products/**. */
  path: z.optional(z.union([z.string(), z.array(z.string())])),
  properties: z.optional(fieldTests),
  traits: z.optional(fieldTests),
});
export type Match = z.infer<typeof matchSchema>;

const ruleId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-_]{0,63}$/, 'rule ids are 1-64 chars of a-z, 0-9, - and _'));

const behaviourRule = z.strictObject({
  id: ruleId,
  kind: z.optional(z.literal('behaviour')),
  description: z.optional(z.string()),
  match: matchSchema,
  points: z.number().check(z.gte(-1000), z.lte(1000)),
  category: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  limit: z.optional(
    z.strictObject({
      /** At most this many scoring matches per UTC day. */
      perDay: z.optional(z.int().check(z.positive())),
      /** At most this many scoring matches ever. */
      ever: z.optional(z.int().check(z.positive())),
    }),
  ),
  /**
   * Fire only when matching events reach `atLeast` within `withinDays` (e.g. 3 pricing visits in 7 days),
   * at most once per window, and only if none of the `unless` events was ever seen.
   */
  repeat: z.optional(
    z.strictObject({
      atLeast: z.int().check(z.gte(2), z.lte(50)),
      withinDays: z.number().check(z.positive(), z.lte(90)),
      unless: z.optional(z.array(z.string())),
    }),
  ),
  /** Publish this business event (detail-type) when the rule fires, e.g. for a scenario trigger. */
  emit: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

const fitRule = z.strictObject({
  id: ruleId,
  kind: z.literal('fit'),
  description: z.optional(z.string()),
  /** Tests on the profile's traits; applies once while it holds, re-evaluated when traits change. */
  traits: fieldTests,
  points: z.number().check(z.gte(-1000), z.lte(1000)),
  category: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});

const threshold = z.number();

export const rulesSchema = z
  .strictObject({
    /** Increase on every edit; the processor logs it and the back-test compares versions. */
    version: z.int().check(z.positive()),
    /** Behaviour points halve every this many days; omit for no decay. */
    halfLifeDays: z.optional(z.number().check(z.positive(), z.lte(3650))),
    stages: z.strictObject({
      mql: threshold,
      sql: threshold,
      /** Events that make a lead a customer (default: Order Completed). */
      customerEvents: z._default(z.array(z.string()), ['Order Completed']),
      /** Days without activity after which a known lead becomes dormant (omit: never). */
      dormantAfterDays: z.optional(z.int().check(z.positive(), z.lte(3650))),
    }),
    /** Dwell: cap on points from "Page Ping" heartbeats per page view is a rule limit (perDay). */
    rules: z.array(z.union([fitRule, behaviourRule])).check(z.maxLength(maxRules)),
  })
  .check(
    z.refine((doc) => doc.stages.sql >= doc.stages.mql, { message: 'sql threshold must be ≥ mql threshold', path: ['stages', 'sql'] }),
    z.refine((doc) => new Set(doc.rules.map((r) => r.id)).size === doc.rules.length, {
      message: 'rule ids must be unique',
      path: ['rules'],
    }),
    z.refine((doc) => doc.rules.reduce((n, r) => n + (r.kind !== 'fit' && r.repeat ? r.repeat.atLeast : 0), 0) <= maxRepeatTimes, {
      message: `repeat.atLeast may add up to at most ${maxRepeatTimes} over all rules`,
      path: ['rules'],
    }),
  );

export type RulesDoc = z.infer<typeof rulesSchema>;
export type BehaviourRule = z.infer<typeof behaviourRule>;
export type FitRule = z.infer<typeof fitRule>;
export type Rule = RulesDoc['rules'][number];

export function isFit(rule: Rule): rule is FitRule {
  return rule.kind === 'fit';
}

/** Parses and validates a rules document; errors name the field and the YAML line. */
export function parseRules(source: string): RulesDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (doc.errors.length > 0) {
    throw new InvalidRulesError(
      doc.errors.map((e) => ({
        field: '(yaml)',
        line: e.linePos?.[0]?.line,
        message: e.message.split('\n')[0] ?? 'YAML syntax error',
      })),
    );
  }
  const raw = doc.toJS() as unknown;
  const parsed = z.safeParse(rulesSchema, raw);
  if (parsed.success) return parsed.data;
  // A union reports only "Invalid input" for a bad rule: validate each rule against its own kind's
  // schema, so the message names the field that is wrong.
  const issues: { path: PropertyKey[]; message: string }[] = [];
  const ruleList = (raw as { rules?: unknown })?.rules;
  for (const issue of parsed.error.issues) {
    const [top, index] = issue.path;
    if (top === 'rules' && typeof index === 'number' && Array.isArray(ruleList) && issue.path.length === 2) {
      const rule = ruleList[index] as { kind?: unknown } | undefined;
      const own = z.safeParse(rule?.kind === 'fit' ? fitRule : behaviourRule, rule);
      if (!own.success) {
        for (const i of own.error.issues) issues.push({ path: ['rules', index, ...i.path], message: i.message });
        continue;
      }
    }
    issues.push({ path: issue.path, message: issue.message });
  }
  throw new InvalidRulesError(
    issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      let node: unknown;
      for (let n = path.length; n >= 0 && !node; n--) node = doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      return {
        field: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('') || '(document)',
        ...(range ? { line: lineCounter.linePos(range[0]).line } : {}),
        message: issue.message,
      };
    }),
  );
}

/** Stage order: a profile only moves forward through it (dormant is a side state). */
export const stageOrder: readonly string[] = stages.filter((s) => s !== 'dormant');
