/**
 * Enrollment use cases, one per rule that targets the enroll function: a trigger applies the re-entry
 * policy and starts an execution under a deterministic name; a goal stops the person's execution; an
 * execution status event records how it ended.
 */
import { ScenarioInputError } from '../errors.js';
import { atomsOf, combine, type AtomicCondition, matchesWhere, type Where } from './conditions.js';
import type { ExecutionInput, TriggerEvent } from './contract.js';
import type { EndedInput, EnrollInput, GoalInput, TriggerInput } from './enroll-input.js';
import { decide, type EnrollmentRecord, type EnrollmentStatus, executionArnOf, statusOf, triggerDetail } from './enrollment.js';

/** One entry of the activity kept on the profile item (`recent`). */
export interface RecentActivity {
  t: string;
  name?: string;
  data?: Record<string, unknown>;
}

/** What enrollment reads and writes through (adapters: enrollment-store.ts, profile-facts.ts, executions.ts). */
export interface EnrollPorts {
  enrollments: {
    get(profileId: string, scenarioId: string): Promise<EnrollmentRecord | undefined>;
    /** False when another enrollment replaced `previous` first. */
    claim(profileId: string, scenarioId: string, record: EnrollmentRecord, previous: EnrollmentRecord | undefined): Promise<boolean>;
    finish(profileId: string, scenarioId: string, executionName: string, status: EnrollmentStatus, at: string): Promise<boolean>;
  };
  facts: {
    evaluate(profileId: string, atoms: readonly AtomicCondition[], lastSend: null): Promise<boolean[]>;
    recentActivity(profileId: string): Promise<RecentActivity[]>;
  };
  executions: {
    /** `existing` when an execution of that name ran before (Step Functions keeps names 90 days). */
    start(stateMachineArn: string, name: string, input: ExecutionInput): Promise<'started' | 'existing'>;
    /** Step Functions' status of the execution; undefined when it does not exist. */
    status(executionArn: string): Promise<string | undefined>;
    /** Stops a running execution; stopping a stopped or unknown one is a no-op. */
    stop(executionArn: string, error: string, cause: string): Promise<void>;
  };
  now(): Date;
}

export type EnrollOutcome =
  | { outcome: 'started' | 'resumed'; executionName: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'stopped'; executionName: string }
  | { outcome: 'recorded'; status: string }
  | { outcome: 'none'; reason: string };

/** Attempts at claiming the enrollment record when concurrent triggers race for one person. */
export const maxClaimAttempts = 3;

export function enroll(input: EnrollInput, ports: EnrollPorts): Promise<EnrollOutcome> {
  return input.kind === 'trigger' ? trigger(input, ports) : input.kind === 'goal' ? goal(input, ports) : ended(input, ports);
}

function profileIdOf(event: { detail: Record<string, unknown> }): string {
  const id = event.detail.profileId;
  if (typeof id !== 'string' || id === '') throw new ScenarioInputError('event.detail.profileId', 'is required');
  return id;
}

/**
 * Has the person already reached the goal at or after the trigger? Trigger and goal reach enroll as
 * separate bus deliveries in no guaranteed order: a buyer whose "Order Completed" was handled before
 * their "Checkout Started" enrolled must not get the cart reminder.
 */
export function goalReachedSince(recent: readonly RecentActivity[], goal: { event: string; where?: Where }, since: string): boolean {
  return recent.some((a) => a.name === goal.event && a.t >= since && matchesWhere(goal.where, { properties: a.data ?? {} }));
}

async function trigger(input: TriggerInput, ports: EnrollPorts, attempt = 1): Promise<EnrollOutcome> {
  const { scenarioId, stateMachineArn, reentry: policy, who } = input;
  const { enrollments, executions } = ports;
  const profileId = profileIdOf(input.event);
  const triggerKey = typeof input.event.detail.messageId === 'string' ? input.event.detail.messageId : input.event.id;
  if (who && !combine(who, await ports.facts.evaluate(profileId, atomsOf(who), null))) {
    return { outcome: 'skipped', reason: 'the person does not match trigger.who' };
  }
  const goalEvent = input.goal?.event;
  if (goalEvent && goalReachedSince(await ports.facts.recentActivity(profileId), { event: goalEvent, ...(input.goal?.where ? { where: input.goal.where } : {}) }, input.event.time)) {
    return { outcome: 'skipped', reason: 'the goal was reached at or after the trigger' };
  }

  let record = await enrollments.get(profileId, scenarioId);
  if (record?.status === 'running' && record.triggerKey !== triggerKey && policy !== 'never') {
    // The status event may be late or lost: ask Step Functions before refusing re-entry.
    const sfnStatus = await executions.status(record.executionArn);
    if (sfnStatus !== 'RUNNING') {
      const status = statusOf(sfnStatus ?? 'FAILED');
      await enrollments.finish(profileId, scenarioId, record.executionName, status, ports.now().toISOString());
      record = { ...record, status };
    }
  }

  const decision = decide({ policy, record, profileId, scenarioId, triggerKey, now: ports.now() });
  const trig: TriggerEvent = { id: input.event.id, source: input.event.source, type: input.event.detailType, time: input.event.time, detail: triggerDetail(input.event.detail) };
  const inputOf = (r: EnrollmentRecord): ExecutionInput => ({ profileId, scenarioId, enrolledAt: r.enrolledAt, trigger: trig, lastSend: null });

  if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };
  if (decision.action === 'resume') {
    await executions.start(stateMachineArn, decision.record.executionName, inputOf(decision.record));
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
  if (!(await enrollments.claim(profileId, scenarioId, next, record))) {
    if (attempt >= maxClaimAttempts) return { outcome: 'skipped', reason: 'another trigger enrolled this person at the same moment' };
    return trigger(input, ports, attempt + 1);
  }
  await executions.start(stateMachineArn, next.executionName, inputOf(next));
  return { outcome: 'started', executionName: next.executionName };
}

async function goal(input: GoalInput, ports: EnrollPorts): Promise<EnrollOutcome> {
  const profileId = profileIdOf(input.event);
  const record = await ports.enrollments.get(profileId, input.scenarioId);
  if (!record || (record.status !== 'running' && record.status !== 'goal')) return { outcome: 'none', reason: 'not in this journey' };
  // Recorded first, so the ABORTED status event that the stop causes cannot record "aborted" instead;
  // a retry of this goal event finds "goal" and stops again (stopping a stopped execution is a no-op).
  if (record.status === 'running') await ports.enrollments.finish(profileId, input.scenarioId, record.executionName, 'goal', ports.now().toISOString());
  await ports.executions.stop(record.executionArn, 'GoalReached', `goal event "${input.event.detailType}" (${input.event.id})`);
  return { outcome: 'stopped', executionName: record.executionName };
}

async function ended(input: EndedInput, ports: EnrollPorts): Promise<EnrollOutcome> {
  const { detail } = input;
  let exec: Partial<ExecutionInput> = {};
  try {
    exec = JSON.parse(detail.input ?? '{}') as Partial<ExecutionInput>;
  } catch {
    throw new ScenarioInputError('detail.input', 'is not JSON');
  }
  if (!exec.profileId || !exec.scenarioId) return { outcome: 'none', reason: 'not a scenario execution' };
  const status = statusOf(detail.status);
  const at = detail.stopDate ? new Date(typeof detail.stopDate === 'number' ? detail.stopDate : Date.parse(detail.stopDate)).toISOString() : ports.now().toISOString();
  await ports.enrollments.finish(exec.profileId, exec.scenarioId, detail.name, status, at);
  return { outcome: 'recorded', status };
}
