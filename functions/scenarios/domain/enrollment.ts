/**
 * Enrollment: whether a trigger starts a journey for a person, under the scenario's re-entry policy, and
 * the deterministic execution name that makes a redelivered trigger start nothing new. Pure.
 */
import { createHash } from 'node:crypto';
import { durationSeconds, formatDuration } from './duration.js';

export type ReentryPolicy = 'never' | 'always' | { after: string };

/** Execution status kept on the enrollment record (pk `p#<id>`, sk `exec#<scenarioId>`). */
export type EnrollmentStatus = 'running' | 'succeeded' | 'failed' | 'timed-out' | 'aborted' | 'goal';

/** The person's latest enrollment in one scenario. */
export interface EnrollmentRecord {
  executionName: string;
  executionArn: string;
  status: EnrollmentStatus;
  /** ISO time of enrollment. */
  enrolledAt: string;
  /** Idempotency key of the trigger that started it (the domain event's messageId). */
  triggerKey: string;
  /** Enrollments so far, this one included. */
  count: number;
  endedAt?: string;
}

/** The ARN an execution of this state machine gets under this name (Step Functions' own scheme). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export function enrollmentSk(scenarioId: string): string {
  return `exec#${scenarioId}`;
}

/**
 * `<profileId>-<16 chars of sha256(scenario, trigger key)>`: at most 80 characters of [A-Za-z0-9_-], as
 * Step Functions requires, the same for every delivery of the same trigger, and different in every
 * scenario (names are only unique per state machine; send idempotency keys and task token keys are
 * derived from them, so they must not collide across scenarios).
 */
export function executionName(profileId: string, scenarioId: string, triggerKey: string): string {
  const hash = createHash('sha256').update(`${scenarioId}\n${triggerKey}`).digest('base64url').slice(0, 16);
  return `${profileId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63)}-${hash}`;
}

export type Decision =
  | { action: 'start'; executionName: string; enrolledAt: string; count: number }
  /** The same trigger again (redelivery, or a crash between recording and starting): start it again, idempotently. */
  | { action: 'resume'; record: EnrollmentRecord }
  | { action: 'skip'; reason: string };

export function decide(opts: {
  policy: ReentryPolicy;
  record: EnrollmentRecord | undefined;
  profileId: string;
  scenarioId: string;
  triggerKey: string;
  now: Date;
}): Decision {
  const { policy, record, profileId, scenarioId, triggerKey, now } = opts;
  const start = (): Decision => ({
    action: 'start',
    executionName: executionName(profileId, scenarioId, triggerKey),
    enrolledAt: now.toISOString(),
    count: (record?.count ?? 0) + 1,
  });
  if (!record) return start();
  if (record.triggerKey === triggerKey) return { action: 'resume', record };
  if (record.status === 'running') return { action: 'skip', reason: 'already in this journey' };
  if (policy === 'never') return { action: 'skip', reason: 'already went through this journey (re-entry: never)' };
  if (policy === 'always') return start();
  const after = durationSeconds(policy.after) * 1000;
  const since = now.getTime() - Date.parse(record.enrolledAt);
  if (since < after) {
    return { action: 'skip', reason: `enrolled ${formatDuration(Math.floor(since / 1000))} ago; re-entry after ${policy.after}` };
  }
  return start();
}

/** Step Functions' execution status → the record's. */
export function statusOf(sfnStatus: string): EnrollmentStatus {
  switch (sfnStatus) {
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'ABORTED':
      return 'aborted';
    default:
      return 'failed';
  }
}

/**
 * Largest trigger detail (JSON bytes) carried into an execution. Send steps pass it to templates as
 * `context.trigger`, and the send function takes at most 8 KB of context: a larger event keeps its
 * scalar fields and loses its properties (`propertiesOmitted: true`) rather than failing every send.
 */
export const maxTriggerDetailBytes = 6 * 1024;

export function triggerDetail(detail: Record<string, unknown>): Record<string, unknown> {
  if (Buffer.byteLength(JSON.stringify(detail)) <= maxTriggerDetailBytes) return detail;
  const kept: Record<string, unknown> = { propertiesOmitted: true };
  for (const [k, v] of Object.entries(detail)) if (v === null || typeof v !== 'object') kept[k] = v;
  return kept;
}
