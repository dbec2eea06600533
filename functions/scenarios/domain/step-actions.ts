/**
 * The payloads compiled Task states send to the scenario-steps function (compile.ts builds them), as one
 * zod schema with the types derived from it, and what the function does with each: `facts` (branch
 * conditions that need numbers or the activity history), `until` (next time of day in the recipient's
 * zone), `waitFor` (store a task token), `points` (publish points to the events stream).
 */
import * as z from 'zod/mini';
import { ScenarioInputError } from '../errors.js';
import { nextLocalTime } from './calendar.js';
import type { AtomicCondition, Where } from './conditions.js';
import type { LastSend } from './contract.js';

/**
 * A JSON object taken as `T`: conditions and filters were validated when the scenario compiled (and the
 * Lambda bundle should not carry the document schema), so here only their shape is checked.
 */
export const objectAs = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object');
const profileId = z.string().check(z.minLength(1), z.maxLength(128));
const nonEmpty = z.string().check(z.minLength(1));

export const stepActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('facts'), profileId, atoms: z.array(objectAs<AtomicCondition>()), lastSend: z.nullable(objectAs<LastSend>()) }),
  z.object({ action: z.literal('until'), profileId, time: z.string().check(z.regex(/^\d\d:\d\d$/)), days: z.optional(z.array(z.string())) }),
  z.object({
    action: z.literal('waitFor'),
    profileId,
    event: nonEmpty,
    where: z.optional(objectAs<Where>()),
    token: nonEmpty,
    executionName: nonEmpty,
    scenarioId: z.string(),
    stepId: z.string(),
    timeoutSeconds: z.number(),
  }),
  z.object({ action: z.literal('points'), profileId, points: z.number(), scenarioId: z.string(), stepId: z.string(), executionName: z.string() }),
]);

export type StepAction = z.infer<typeof stepActionSchema>;
export type FactsAction = Extract<StepAction, { action: 'facts' }>;
export type UntilAction = Extract<StepAction, { action: 'until' }>;
export type WaitForAction = Extract<StepAction, { action: 'waitFor' }>;
export type PointsAction = Extract<StepAction, { action: 'points' }>;

/** Answer of `facts`: one boolean per atom, keyed c0, c1, ... in atom order. */
export type FactsResult = Record<string, boolean>;
export interface UntilResult {
  until: string;
}
export type StepResult = FactsResult | UntilResult | { ok: true };

/** The action in a Task's payload; ScenarioInputError names the first bad field. */
export function parseStepAction(event: unknown): StepAction {
  const parsed = z.safeParse(stepActionSchema, event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ScenarioInputError(issue.path.join('.') || 'action', issue.message);
}

/** What the actions read and write through (adapters: profile-facts.ts, task-tokens.ts, points.ts). */
export interface StepPorts {
  facts: {
    evaluate(profileId: string, atoms: readonly AtomicCondition[], lastSend: LastSend | null): Promise<boolean[]>;
    profile(profileId: string): Promise<{ timezone?: string } | undefined>;
  };
  registerWait(action: WaitForAction): Promise<void>;
  publishPoints(action: PointsAction): Promise<void>;
  now(): Date;
}

export async function runStep(action: StepAction, ports: StepPorts): Promise<StepResult> {
  switch (action.action) {
    case 'facts': {
      const results = await ports.facts.evaluate(action.profileId, action.atoms, action.lastSend);
      return Object.fromEntries(results.map((r, i) => [`c${i}`, r]));
    }
    case 'until': {
      const profile = await ports.facts.profile(action.profileId);
      return { until: nextLocalTime(ports.now(), profile?.timezone ?? 'UTC', action.time, action.days).toISOString() };
    }
    case 'waitFor':
      await ports.registerWait(action);
      return { ok: true };
    case 'points':
      await ports.publishPoints(action);
      return { ok: true };
  }
}
