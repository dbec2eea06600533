/**
 * What each EventBridge rule passes to the enroll function, written once: the zod schema enroll parses it
 * with, and the one builder that CDK (infra/scenarios.ts, fields as EventField placeholders) and local
 * mode (local/runtime/plugins/scenarios.ts, fields read from the delivered event) both call.
 */
import * as z from 'zod/mini';
import { ScenarioInputError } from '../errors.js';
import type { Condition, Where } from './conditions.js';
import type { Scenario } from './schema.js';
import { objectAs } from './step-actions.js';

const eventSchema = z.object({
  id: z.string(),
  source: z.string(),
  detailType: z.string(),
  time: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
const reentrySchema = z.union([z.literal('never'), z.literal('always'), z.object({ after: z.string() })]);

export const enrollInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('trigger'),
    scenarioId: z.string(),
    stateMachineArn: z.string(),
    reentry: reentrySchema,
    who: z.optional(z.array(objectAs<Condition>())),
    /** The scenario's goal event: a trigger whose goal already happened (it was processed first) enrolls nobody. */
    goal: z.optional(z.object({ event: z.optional(z.string()), where: z.optional(objectAs<Where>()) })),
    event: eventSchema,
  }),
  z.object({ kind: z.literal('goal'), scenarioId: z.string(), stateMachineArn: z.string(), event: eventSchema }),
  z.object({
    kind: z.literal('ended'),
    detail: z.object({ name: z.string(), status: z.string(), input: z.optional(z.nullable(z.string())), stopDate: z.optional(z.nullable(z.union([z.number(), z.string()]))) }),
  }),
]);

export type EnrollInput = z.infer<typeof enrollInputSchema>;
export type TriggerInput = Extract<EnrollInput, { kind: 'trigger' }>;
export type GoalInput = Extract<EnrollInput, { kind: 'goal' }>;
export type EndedInput = Extract<EnrollInput, { kind: 'ended' }>;

/** The enroll input in an invocation; ScenarioInputError names the first bad field. */
export function parseEnrollInput(event: unknown): EnrollInput {
  const parsed = z.safeParse(enrollInputSchema, event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ScenarioInputError(issue.path.join('.') || 'kind', issue.message);
}

/** JSONPaths of the EventBridge event fields a rule passes on. */
export type EventPath = '$.id' | '$.source' | '$.detail-type' | '$.time' | '$.detail';

/**
 * The rules that target enroll: a scenario's trigger and goal rules, and the one rule for Step Functions'
 * execution status events (`ended`).
 */
export type EnrollRule =
  | { kind: 'trigger' | 'goal'; scenario: Pick<Scenario, 'id' | 'reentry' | 'trigger' | 'goal'>; stateMachineArn: string }
  | { kind: 'ended' };

/**
 * The input a rule passes to enroll. `field` reads one field of the delivered event by its JSONPath: on
 * AWS `EventField.fromPath` (an input transformer fills it in), locally the event's own value.
 */
export function enrollTargetInput<T>(rule: EnrollRule, field: (path: EventPath) => T): Record<string, unknown> {
  if (rule.kind === 'ended') return { kind: 'ended', detail: field('$.detail') };
  const { scenario, stateMachineArn } = rule;
  const event = { id: field('$.id'), source: field('$.source'), detailType: field('$.detail-type'), time: field('$.time'), detail: field('$.detail') };
  if (rule.kind === 'goal') return { kind: 'goal', scenarioId: scenario.id, stateMachineArn, event };
  const goal = scenario.goal;
  return {
    kind: 'trigger',
    scenarioId: scenario.id,
    stateMachineArn,
    reentry: scenario.reentry,
    ...(scenario.trigger.who ? { who: scenario.trigger.who } : {}),
    ...(goal?.event ? { goal: { event: goal.event, ...(goal.where ? { where: goal.where } : {}) } } : {}),
    event,
  };
}
