/**
 * What flows between the pieces of a running scenario: the execution input the enroll function starts
 * with and what a send step keeps of its result. Pure types. The payloads of the scenario-steps function
 * are in step-actions.ts; the send function's input and result are sending's (functions/sending/domain/contract.ts).
 */
import type { SendResult } from '../../sending/domain/contract.js';
import { scenarioSource } from '../../shared/domain-events.js';
import type { Scalar } from './conditions.js';

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
  lastSend: LastSend | null;
}

/**
 * The latest send step's outcome as the execution keeps it (`$.lastSend`, compile.ts's ResultSelector): the
 * send function's own result (sending's contract), its status repeated for Choice states, and the time.
 */
export interface LastSend {
  status: SendResult['status'];
  detail: SendResult;
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
