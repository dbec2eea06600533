/**
 * scenario-steps: the few things a compiled scenario cannot do with a direct service integration.
 * Step Functions invokes it with `{ action, ... }`: `facts` (branch conditions that need numbers or the
 * activity history), `until` (next time of day in the recipient's zone), `waitFor` (store a task token),
 * `points` (publish points to the events stream).
 */
import * as z from 'zod/mini';
import { KinesisSink } from '../ingest/adapters/kinesis-sink.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { parseEnv, required } from '../shared/env.js';
import { publishPoints } from './adapters/points.js';
import { ProfileFacts } from './adapters/profile-facts.js';
import { sfnClient } from './adapters/sfn.js';
import { registerWait } from './adapters/task-tokens.js';
import { nextLocalTime } from './domain/calendar.js';
import type { AtomicCondition } from './domain/conditions.js';
import type { FactsResult, SendResult, StepsAction, UntilResult } from './domain/contract.js';
import { ScenarioInputError } from './domain/errors.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), EVENTS_STREAM_NAME: required() }));
const doc = documentClient();
const deps = { doc, sfn: sfnClient(), tableName: env.TABLE_NAME };
const facts = new ProfileFacts(doc, env.TABLE_NAME);
const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);

const profileId = z.string().check(z.minLength(1), z.maxLength(128));
// Conditions and filters were validated when the scenario compiled; here only their shape is checked.
const actionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('facts'), profileId, atoms: z.array(z.record(z.string(), z.unknown())), lastSend: z.nullable(z.record(z.string(), z.unknown())) }),
  z.object({ action: z.literal('until'), profileId, time: z.string().check(z.regex(/^\d\d:\d\d$/)), days: z.optional(z.array(z.string())) }),
  z.object({
    action: z.literal('waitFor'),
    profileId,
    event: z.string().check(z.minLength(1)),
    where: z.optional(z.record(z.string(), z.unknown())),
    token: z.string().check(z.minLength(1)),
    executionName: z.string().check(z.minLength(1)),
    scenarioId: z.string(),
    stepId: z.string(),
    timeoutSeconds: z.number(),
  }),
  z.object({ action: z.literal('points'), profileId, points: z.number(), scenarioId: z.string(), stepId: z.string(), executionName: z.string() }),
]);

function parseAction(event: unknown): StepsAction {
  const parsed = z.safeParse(actionSchema, event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScenarioInputError(issue.path.join('.') || 'action', issue.message);
  }
  return parsed.data as unknown as StepsAction;
}

export async function handler(event: unknown): Promise<FactsResult | UntilResult | { ok: true }> {
  const action = parseAction(event);
  switch (action.action) {
    case 'facts': {
      const results = await facts.evaluate(action.profileId, action.atoms as AtomicCondition[], action.lastSend as SendResult | null);
      return Object.fromEntries(results.map((r, i) => [`c${i}`, r]));
    }
    case 'until': {
      const profile = await facts.profile(action.profileId);
      return { until: nextLocalTime(new Date(), profile?.timezone ?? 'UTC', action.time, action.days).toISOString() };
    }
    case 'waitFor':
      await registerWait(deps, action);
      return { ok: true };
    case 'points':
      await publishPoints(sink, action);
      return { ok: true };
  }
}
