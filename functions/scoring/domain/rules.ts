import * as z from 'zod/mini';
import { stages } from '../../profiles/domain/profile.js';
import { messageTypes } from '../../ingest/domain/schema.js';
import { validateYaml } from '../../shared/validation.js';
import { InvalidRulesError, type RulesProblem } from '../errors.js';

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
  /** Segment message type(s): track, page, screen, identify, alias, group (a typo would never match). */
  type: z.optional(z.union([z.enum(messageTypes), z.array(z.enum(messageTypes))])),
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

/** Lifecycle thresholds when the document has no `lifecycle` block (or leaves a field out). */
export const lifecycleDefaults = {
  newWithinDays: 30,
  loyalOrders: 3,
  atRiskFactor: 2,
  atRiskMinDays: 30,
  atRiskMaxDays: 120,
  churnedAfterDays: 180,
} as const;

const lifecycleDays = z.number().check(z.positive(), z.lte(3650));

/** Customer lifecycle thresholds (scoring/domain/lifecycle.ts applies them). */
const lifecycleSchema = z.strictObject({
  /** A customer is new until this many days after their first order. */
  newWithinDays: z._default(lifecycleDays, lifecycleDefaults.newWithinDays),
  /** Loyal from this many orders on. */
  loyalOrders: z._default(z.int().check(z.gte(2), z.lte(1000)), lifecycleDefaults.loyalOrders),
  /** Also loyal from this much revenue in total (omit: orders alone decide). */
  loyalRevenue: z.optional(z.number().check(z.positive())),
  /** At risk after this many times their usual interval between orders without one... */
  atRiskFactor: z._default(z.number().check(z.gte(1), z.lte(20)), lifecycleDefaults.atRiskFactor),
  /** ...but never sooner than this many days after the last order... */
  atRiskMinDays: z._default(lifecycleDays, lifecycleDefaults.atRiskMinDays),
  /** ...nor later than this (also the wait for a customer with one order, whose interval is unknown). */
  atRiskMaxDays: z._default(lifecycleDays, lifecycleDefaults.atRiskMaxDays),
  /** Churned this many days after the last order. */
  churnedAfterDays: z._default(lifecycleDays, lifecycleDefaults.churnedAfterDays),
  /** Events that count as orders (default: stages.customerEvents, itself Order Completed by default). */
  customerEvents: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(20))),
});
export type LifecycleRules = z.infer<typeof lifecycleSchema>;

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
    /** Customer lifecycle states (new, active, loyal, at risk, churned); defaults when absent. */
    lifecycle: z._default(lifecycleSchema, { ...lifecycleDefaults }),
    /** Dwell: cap on points from "Page Ping" heartbeats per page view is a rule limit (perDay). */
    rules: z.array(z.union([fitRule, behaviourRule])).check(z.maxLength(maxRules)),
  })
  .check(
    // These run even when another part of the document is wrong, so one upload reports every problem.
    z.superRefine(
      (doc, ctx) => {
        const { mql, sql } = (doc.stages ?? {}) as Partial<RulesDoc['stages']>;
        if (typeof mql === 'number' && typeof sql === 'number' && sql < mql) {
          ctx.addIssue({ code: 'custom', message: 'sql threshold must be ≥ mql threshold', path: ['stages', 'sql'], input: sql });
        }
        lifecycleProblems(doc.lifecycle, ctx);
        const seen = new Map<unknown, number>();
        (Array.isArray(doc.rules) ? (doc.rules as unknown[]) : []).forEach((rule, i) => {
          const id = (rule as { id?: unknown } | null)?.id;
          if (typeof id !== 'string') return;
          const first = seen.get(id);
          if (first === undefined) seen.set(id, i);
          else ctx.addIssue({ code: 'custom', message: `rule ids must be unique: "${id}" is also rules[${first}]`, path: ['rules', i, 'id'], input: id });
        });
        // Bounds the repeat windows a profile item carries (functions/profiles/domain bounds).
        const repeats = (Array.isArray(doc.rules) ? (doc.rules as { kind?: unknown; repeat?: { atLeast?: unknown } }[]) : []).reduce(
          (n, r) => n + (r?.kind !== 'fit' && typeof r?.repeat?.atLeast === 'number' ? r.repeat.atLeast : 0),
          0,
        );
        if (repeats > maxRepeatTimes) ctx.addIssue({ code: 'custom', message: `repeat.atLeast may add up to at most ${maxRepeatTimes} over all rules`, path: ['rules'], input: repeats });
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  );

/**
 * The lifecycle thresholds must leave room for each state: at risk never before its floor, its floor not
 * above its ceiling, and the ceiling not after churn (at risk always comes before churned).
 */
function lifecycleProblems(block: unknown, ctx: { addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[]; input: unknown }): void }) {
  if (typeof block !== 'object' || block === null) return;
  const given = block as Record<string, unknown>;
  const num = (k: keyof typeof lifecycleDefaults) => (given[k] === undefined ? lifecycleDefaults[k] : typeof given[k] === 'number' ? given[k] : undefined);
  const [min, max, churned] = [num('atRiskMinDays'), num('atRiskMaxDays'), num('churnedAfterDays')];
  if (min !== undefined && max !== undefined && max < min) {
    ctx.addIssue({ code: 'custom', message: `atRiskMaxDays must be ≥ atRiskMinDays (${min})`, path: ['lifecycle', 'atRiskMaxDays'], input: max });
  }
  if (max !== undefined && churned !== undefined && churned < max) {
    ctx.addIssue({ code: 'custom', message: `churnedAfterDays must be ≥ atRiskMaxDays (${max}): at risk comes before churned`, path: ['lifecycle', 'churnedAfterDays'], input: churned });
  }
}

export type RulesDoc = z.infer<typeof rulesSchema>;
export type BehaviourRule = z.infer<typeof behaviourRule>;
export type FitRule = z.infer<typeof fitRule>;
export type Rule = RulesDoc['rules'][number];

export function isFit(rule: Rule): rule is FitRule {
  return rule.kind === 'fit';
}

export type { RulesProblem };

/** Parses and validates a rules document; throws with every problem, each naming its field and YAML line. */
export function parseRules(source: string): RulesDoc {
  const { data, problems } = validateYaml(source, rulesSchema);
  if (!data || problems.length > 0) throw new InvalidRulesError(problems);
  return data;
}

/** Stage order: a profile only moves forward through it (dormant is a side state). */
export const stageOrder: readonly string[] = stages.filter((s) => s !== 'dormant');
