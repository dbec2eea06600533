/** Executions of the local Step Functions and their history, kept in memory and persisted to one JSON file. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionRecord, ExecutionStatus, Json } from './types.js';

/** Closed executions kept (oldest dropped first); running ones are always kept. */
export const maxClosedExecutions = 5_000;
/** Step Functions' own limit of history events per execution. */
export const maxHistoryEvents = 25_000;

export class ExecutionStore {
  readonly executions = new Map<string, ExecutionRecord>();
  private saveTimer: NodeJS.Timeout | undefined;

  /** `file`: where executions persist across restarts; without it they live in memory only. */
  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { executions: ExecutionRecord[] };
      for (const e of saved.executions) this.executions.set(e.executionArn, e);
    }
  }

  /** Drops the oldest closed executions beyond maxClosedExecutions. */
  prune() {
    const closed = [...this.executions.values()].filter((e) => e.status !== 'RUNNING');
    if (closed.length <= maxClosedExecutions) return;
    closed.sort((a, b) => (a.stopDate ?? 0) - (b.stopDate ?? 0));
    for (const e of closed.slice(0, closed.length - maxClosedExecutions)) this.executions.delete(e.executionArn);
  }

  /** Saves soon (writes are coalesced). */
  scheduleSave() {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 200);
    this.saveTimer.unref();
  }

  /** Saves now, atomically (write then rename). */
  saveNow() {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const file = this.file;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ executions: [...this.executions.values()] }));
    renameSync(`${file}.tmp`, file);
  }
}

/** Turns the runner's event log into Step Functions history events on the record (stops adding at maxHistoryEvents). */
export async function recordHistory(record: ExecutionRecord, logs: AsyncGenerator<unknown>, originalType: Map<string, string>, isClosing: () => boolean) {
  const push = (type: string, timestamp: number, details: Record<string, unknown> = {}) => {
    if (record.history.length >= maxHistoryEvents) return;
    const id = record.history.length + 1;
    record.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  };
  for await (const raw of logs) {
    const ev = raw as { type: string; timestamp: number; state?: { name: string; type: string; input: Json; output?: Json }; Error?: string; Cause?: unknown; input?: Json };
    if (isClosing() || (record.status !== 'RUNNING' && ev.type !== 'ExecutionAborted')) continue;
    const stateType = ev.state ? (originalType.get(ev.state.name) ?? ev.state.type) : '';
    switch (ev.type) {
      case 'ExecutionStarted':
        // A resumed execution keeps its first ExecutionStarted.
        if (record.history.length === 0) push('ExecutionStarted', ev.timestamp, { executionStartedEventDetails: { input: record.input } });
        break;
      case 'StateEntered':
        push(`${stateType}StateEntered`, ev.timestamp, { stateEnteredEventDetails: { name: ev.state!.name, input: JSON.stringify(ev.state!.input) } });
        break;
      case 'StateExited':
        push(`${stateType}StateExited`, ev.timestamp, { stateExitedEventDetails: { name: ev.state!.name, output: JSON.stringify(ev.state!.output ?? null) } });
        break;
      case 'StateFailed':
        push(stateType !== 'Task' ? `${stateType}StateFailed` : ev.Error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed', ev.timestamp, {
          taskFailedEventDetails: { resourceType: 'local', resource: ev.state!.name, error: ev.Error, cause: String(ev.Cause ?? '') },
        });
        break;
      case 'StateRetried':
        push('TaskRetried', ev.timestamp, { name: ev.state!.name });
        break;
      default:
        break;
    }
  }
}

/** Closes a running execution: its status, stop time, result and the closing history event. */
export function closeRecord(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>, extra: { output?: string; error?: string; cause?: string }) {
  record.status = status;
  record.stopDate = Date.now();
  Object.assign(record, extra);
  const details =
    status === 'SUCCEEDED'
      ? { executionSucceededEventDetails: { output: extra.output } }
      : status === 'ABORTED'
        ? { executionAbortedEventDetails: { error: extra.error, cause: extra.cause } }
        : status === 'TIMED_OUT'
          ? { executionTimedOutEventDetails: {} }
          : { executionFailedEventDetails: { error: extra.error, cause: extra.cause } };
  const type = { SUCCEEDED: 'ExecutionSucceeded', ABORTED: 'ExecutionAborted', TIMED_OUT: 'ExecutionTimedOut', FAILED: 'ExecutionFailed' }[status];
  const id = record.history.length + 1;
  record.history.push({ id, previousEventId: id - 1, timestamp: record.stopDate, type, ...details });
}

/** One page of a list, with the API's opaque nextToken. */
export function paginate<T>(items: T[], max: number, token: string | undefined): { page: T[]; nextToken?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return { page, ...(next ? { nextToken: next } : {}) };
}
