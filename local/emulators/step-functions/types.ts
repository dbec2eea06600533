/** Shapes shared by the local Step Functions server, its preparation of definitions and its store. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslState = { Type: string; [key: string]: unknown };
export interface Definition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

/** Serves one Task resource: gets the state's effective input, returns its result. */
export type TaskResourceHandler = (input: Json, meta: TaskMeta) => Promise<Json>;
export interface TaskMeta {
  resource: string;
  stateName: string;
  execution: { arn: string; name: string };
  /** The task token handed out for this state (`$$.Task.Token`). */
  token: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

/** An error a Task throws; its `name` is what Retry/Catch ErrorEquals match. */
export class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface Running {
  abort: () => void;
  timers: Set<NodeJS.Timeout>;
  tokens: Set<string>;
}

export interface PendingToken {
  executionArn: string;
  resolve: (v: Json) => void;
  reject: (e: Error) => void;
}

/** An error the Step Functions API answers with (400, `__type` = type). */
export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
