/**
 * What flows between the pieces of a running scenario: the execution input the enroll function starts
 * with, and the payloads compiled Task states send to the scenario-steps function. Pure types.
 */
import { scenarioSource } from '../../shared/domain-events.js';
import type { AtomicCondition, Scalar, Where } from './conditions.js';

/** The event that enrolled the person (an EventBridge event, trimmed). */
export interface TriggerEvent {
  /** EventBridge event id. */
  id: string;
  source: string;
  type: string;
  time: string;
  detail: Record<string, unknown>;
}

/** Input of every scenario execution. */
export interface ExecutionInput {
  profileId: string;
  scenarioId: string;
  /** ISO time of enrollment (from the enrollment record, so a restarted enrollment has the same input). */
  enrolledAt: string;
  trigger: TriggerEvent;
  /** Result of the journey's latest send step (null until one ran): `lastEmail` conditions read it. */
  lastSend: SendResult | null;
}

/** What the send function answered (functions/sending/domain/contract.ts), as kept in the execution state. */
export interface SendResult {
  status: 'sent' | 'skipped' | 'deferred';
  detail: { status: string; sendId?: string; messageId?: string; reason?: string; until?: string };
  /** When the send step ran (ISO): opens and clicks after it count for `lastEmail`. */
  at: string;
}

/**
 * Error names the send function throws for its caller to retry (functions/sending/domain/errors.ts; a unit
 * test keeps the two equal, since Step Functions matches `ErrorEquals` on the function's errorType, the
 * thrown error's `name`, exactly).
 */
export const sendErrorNames = {
  /** SES refused for now (throttling, sending paused); the reservation was given back. */
  retryable: 'SendRetryableError',
  /** Another call holds this send's claim; past the claim's lease a retry takes over or answers. */
  inProgress: 'SendInProgressError',
} as const;

/** Payload of the send function (issue 4's contract). */
export interface SendRequest {
  profileId: string;
  templateId: string;
  idempotencyKey: string;
  category: 'marketing' | 'transactional';
  capPolicy?: 'skip' | 'defer';
  scenarioId?: string;
  context?: Record<string, unknown>;
}

export interface FactsAction {
  action: 'facts';
  profileId: string;
  atoms: AtomicCondition[];
  lastSend: SendResult | null;
}
/** Answer of `facts`: one boolean per atom, keyed c0, c1, ... in atom order. */
export type FactsResult = Record<string, boolean>;

export interface UntilAction {
  action: 'until';
  profileId: string;
  time: string;
  days?: string[];
}
export interface UntilResult {
  until: string;
}

export interface WaitForAction {
  action: 'waitFor';
  profileId: string;
  event: string;
  where?: Where;
  token: string;
  executionName: string;
  scenarioId: string;
  stepId: string;
  timeoutSeconds: number;
}

export interface PointsAction {
  action: 'points';
  profileId: string;
  points: number;
  scenarioId: string;
  stepId: string;
  executionName: string;
}

export type StepsAction = FactsAction | UntilAction | WaitForAction | PointsAction;

/** Placeholders in compiled definitions; CDK's definitionSubstitutions (or local mode) fill them. */
export const placeholders = {
  sendFunction: 'SendFunctionArn',
  stepsFunction: 'StepsFunctionArn',
  table: 'TableName',
  bus: 'EventBusName',
} as const;
export type PlaceholderValues = Record<(typeof placeholders)[keyof typeof placeholders], string>;

/** Source and detail-type of the sales hand-off event a notify step publishes (LeadHandoff in shared/domain-events.ts). */
export const handoffSource: typeof scenarioSource = scenarioSource;
export const handoffDetailType = 'lead.handoff';

/** Track event the points of an update step travel as, through the events stream to scoring. */
export const pointsEventName = 'Scenario Points Added';

/** Trait values an update step may set. */
export type TraitValue = Scalar;
