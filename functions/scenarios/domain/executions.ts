/**
 * What the admin API shows of scenarios and their executions (read from Step Functions by
 * adapters/executions.ts), and the pure parts of reading it.
 */
import type { ExecutionInput } from './contract.js';

/** Step Functions' execution statuses (the admin list filters by them). */
export const executionStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatusName = (typeof executionStatuses)[number];

export function isExecutionStatus(s: string): s is ExecutionStatusName {
  return (executionStatuses as readonly string[]).includes(s);
}

export interface ScenarioSummary {
  id: string;
  stateMachineArn: string;
  /** Executions running now (at most runningCountLimit counted; `runningAtLeast` when there are more). */
  running: number;
  runningAtLeast?: boolean;
}

export interface ExecutionSummary {
  name: string | undefined;
  profileId: string | undefined;
  status: string | undefined;
  startedAt: string | undefined;
  stoppedAt?: string | undefined;
  /** Step id the execution is in (running executions only). */
  currentStep?: string | undefined;
  /** `GoalReached` when the goal stopped it. */
  error?: string;
  cause?: string | undefined;
}

export interface ExecutionPage {
  scenarioId: string;
  executions: ExecutionSummary[];
  nextToken?: string;
}

export interface ExecutionDetail extends ExecutionSummary {
  scenarioId: string;
  steps: { state: string | undefined; type: string; at: string | undefined }[];
  /** Billed state transitions so far (Standard workflows bill each state entered). */
  transitions: number;
}

/** The person an execution is for, from its input (undefined when the input is not a scenario's). */
export function profileOf(input: string | undefined): string | undefined {
  try {
    return (JSON.parse(input ?? '{}') as Partial<ExecutionInput>).profileId;
  } catch {
    return undefined;
  }
}

/**
 * The step an execution is in: the latest state it entered (`enteredLatestFirst[0]`), with helper states
 * `<step>.x` counted as `<step>`.
 */
export function currentStep(enteredLatestFirst: readonly string[]): string | undefined {
  return enteredLatestFirst[0]?.split('.')[0] || undefined;
}
