/**
 * enroll: the target of every scenario's trigger rule, goal rule, and of Step Functions' execution
 * status events. Applies the re-entry policy and starts executions under deterministic names, stops a
 * person's execution when they reach the goal, and records how executions ended.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { parseEnv, required } from '../shared/env.js';
import { EnrollmentStore } from './adapters/enrollment-store.js';
import { ProfileFacts } from './adapters/profile-facts.js';
import { executionArnOf, sfnClient } from './adapters/sfn.js';
import { atomsOf, combine, type Condition, matchesWhere, type Where } from './domain/conditions.js';
import { profilePk, profileSk } from '../profiles/domain/profile.js';
import type { ExecutionInput, TriggerEvent } from './domain/contract.js';
import { decide, type EnrollmentRecord, type ReentryPolicy, statusOf, triggerDetail } from './domain/enrollment.js';
import { ScenarioInputError } from './domain/errors.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const doc = documentClient();
const sfn = sfnClient();
const store = new EnrollmentStore(doc, env.TABLE_NAME);
const facts = new ProfileFacts(doc, env.TABLE_NAME);

/** Attempts at claiming the enrollment record when concurrent triggers race for one person. */
const maxClaimAttempts = 3;

const eventSchema = z.object({
  id: z.string(),
  source: z.string(),
  detailType: z.string(),
  time: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
const reentrySchema = z.union([z.literal('never'), z.literal('always'), z.object({ after: z.string() })]);
const inputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('trigger'),
    scenarioId: z.string(),
    stateMachineArn: z.string(),
    reentry: reentrySchema,
    who: z.optional(z.array(z.record(z.string(), z.unknown()))),
    /** The scenario's goal event: a trigger whose goal already happened (it was processed first) enrolls nobody. */
    goal: z.optional(z.object({ event: z.optional(z.string()), where: z.optional(z.record(z.string(), z.unknown())) })),
    event: eventSchema,
  }),
  z.object({ kind: z.literal('goal'), scenarioId: z.string(), stateMachineArn: z.string(), event: eventSchema }),
  z.object({
    kind: z.literal('ended'),
    detail: z.object({ name: z.string(), status: z.string(), input: z.optional(z.nullable(z.string())), stopDate: z.optional(z.nullable(z.union([z.number(), z.string()]))) }),
  }),
]);
type EnrollInput = z.infer<typeof inputSchema>;

export type EnrollOutcome =
  | { outcome: 'started' | 'resumed'; executionName: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'stopped'; executionName: string }
  | { outcome: 'recorded'; status: string }
  | { outcome: 'none'; reason: string };

function log(entry: Record<string, unknown>) {
  console.log(JSON.stringify({ level: 'INFO', ...entry }));
}

function profileIdOf(event: { detail: Record<string, unknown> }): string {
  const id = event.detail.profileId;
  if (typeof id !== 'string' || id === '') throw new ScenarioInputError('event.detail.profileId', 'is required');
  return id;
}

async function start(stateMachineArn: string, record: EnrollmentRecord, input: ExecutionInput): Promise<'started' | 'existing'> {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: record.executionName, input: JSON.stringify(input) }));
    return 'started';
  } catch (err) {
    // The same name ran before (a redelivered trigger after the execution closed): nothing to do.
    if (err instanceof ExecutionAlreadyExists || (err as Error).name === 'ExecutionAlreadyExists') return 'existing';
    throw err;
  }
}

/**
 * Has the person already reached the goal at or after the trigger? Trigger and goal reach enroll as
 * separate bus deliveries in no guaranteed order: a buyer whose "Order Completed" was handled before
 * their "Checkout Started" enrolled must not get the cart reminder. Reads the activity on the profile
 * item (its latest entries, with properties when small).
 */
async function goalReachedSince(profileId: string, goal: { event: string; where?: Where }, since: string): Promise<boolean> {
  const res = await doc.send(
    new GetCommand({
      TableName: env.TABLE_NAME,
      Key: { pk: profilePk(profileId), sk: profileSk },
      ProjectionExpression: '#recent',
      ExpressionAttributeNames: { '#recent': 'recent' },
    }),
  );
  const recent = (res.Item?.recent ?? []) as { t: string; name?: string; data?: Record<string, unknown> }[];
  return recent.some((a) => a.name === goal.event && a.t >= since && matchesWhere(goal.where, { properties: a.data ?? {} }));
}

async function trigger(input: Extract<EnrollInput, { kind: 'trigger' }>, attempt = 1): Promise<EnrollOutcome> {
  const { scenarioId, stateMachineArn } = input;
  const profileId = profileIdOf(input.event);
  const triggerKey = typeof input.event.detail.messageId === 'string' ? input.event.detail.messageId : input.event.id;
  const policy = input.reentry as ReentryPolicy;
  const who = input.who as Condition[] | undefined;
  if (who && !combine(who, await facts.evaluate(profileId, atomsOf(who), null))) {
    return { outcome: 'skipped', reason: 'the person does not match trigger.who' };
  }

  if (input.goal?.event && (await goalReachedSince(profileId, input.goal as { event: string; where?: Where }, input.event.time))) {
    return { outcome: 'skipped', reason: 'the goal was reached at or after the trigger' };
  }

  let record = await store.get(profileId, scenarioId);
  if (record?.status === 'running' && record.triggerKey !== triggerKey && policy !== 'never') {
    // The status event may be late or lost: ask Step Functions before refusing re-entry.
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn })).catch((err: unknown) => {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    });
    if (described?.status !== 'RUNNING') {
      const status = statusOf(described?.status ?? 'FAILED');
      await store.finish(profileId, scenarioId, record.executionName, status, new Date().toISOString());
      record = { ...record, status };
    }
  }

  const decision = decide({ policy, record, profileId, scenarioId, triggerKey, now: new Date() });
  const trig: TriggerEvent = { id: input.event.id, source: input.event.source, type: input.event.detailType, time: input.event.time, detail: triggerDetail(input.event.detail) };
  const inputOf = (r: EnrollmentRecord): ExecutionInput => ({ profileId, scenarioId, enrolledAt: r.enrolledAt, trigger: trig, lastSend: null });

  if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };
  if (decision.action === 'resume') {
    await start(stateMachineArn, decision.record, inputOf(decision.record));
    return { outcome: 'resumed', executionName: decision.record.executionName };
  }
  const next: EnrollmentRecord = {
    executionName: decision.executionName,
    executionArn: executionArnOf(stateMachineArn, decision.executionName),
    status: 'running',
    enrolledAt: decision.enrolledAt,
    triggerKey,
    count: decision.count,
  };
  if (!(await store.claim(profileId, scenarioId, next, record))) {
    if (attempt >= maxClaimAttempts) return { outcome: 'skipped', reason: 'another trigger enrolled this person at the same moment' };
    return trigger(input, attempt + 1);
  }
  await start(stateMachineArn, next, inputOf(next));
  return { outcome: 'started', executionName: next.executionName };
}

async function goal(input: Extract<EnrollInput, { kind: 'goal' }>): Promise<EnrollOutcome> {
  const profileId = profileIdOf(input.event);
  const record = await store.get(profileId, input.scenarioId);
  if (!record || (record.status !== 'running' && record.status !== 'goal')) return { outcome: 'none', reason: 'not in this journey' };
  // Recorded first, so the ABORTED status event that the stop causes cannot record "aborted" instead;
  // a retry of this goal event finds "goal" and stops again (stopping a stopped execution is a no-op).
  if (record.status === 'running') await store.finish(profileId, input.scenarioId, record.executionName, 'goal', new Date().toISOString());
  try {
    await sfn.send(
      new StopExecutionCommand({ executionArn: record.executionArn, error: 'GoalReached', cause: `goal event "${input.event.detailType}" (${input.event.id})` }),
    );
  } catch (err) {
    if (!(err instanceof ExecutionDoesNotExist)) throw err;
  }
  return { outcome: 'stopped', executionName: record.executionName };
}

async function ended(input: Extract<EnrollInput, { kind: 'ended' }>): Promise<EnrollOutcome> {
  const { detail } = input;
  let exec: Partial<ExecutionInput> = {};
  try {
    exec = JSON.parse(detail.input ?? '{}') as Partial<ExecutionInput>;
  } catch {
    throw new ScenarioInputError('detail.input', 'is not JSON');
  }
  if (!exec.profileId || !exec.scenarioId) return { outcome: 'none', reason: 'not a scenario execution' };
  const status = statusOf(detail.status);
  const at = detail.stopDate ? new Date(typeof detail.stopDate === 'number' ? detail.stopDate : Date.parse(detail.stopDate)).toISOString() : new Date().toISOString();
  await store.finish(exec.profileId, exec.scenarioId, detail.name, status, at);
  return { outcome: 'recorded', status };
}

export async function handler(event: unknown): Promise<EnrollOutcome> {
  const parsed = z.safeParse(inputSchema, event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScenarioInputError(issue.path.join('.') || 'kind', issue.message);
  }
  const input = parsed.data;
  const result = input.kind === 'trigger' ? await trigger(input) : input.kind === 'goal' ? await goal(input) : await ended(input);
  log({ message: `scenario ${input.kind}`, ...('scenarioId' in input ? { scenarioId: input.scenarioId } : {}), ...result });
  return result;
}
