/**
 * Prepares a compiled definition for aws-local-stepfunctions: walks the ASL, scales Wait states by the time
 * scale (a Wait on a timestamp becomes a local Task that sleeps), enforces Task timeouts (scaled), and
 * builds the runner's overrides that serve every Task in-process, `.waitForTaskToken` ones through tokens.
 */
import { type AslState, type Definition, type ExecutionRecord, type Json, type PendingToken, type Running, TaskError, type TaskMeta, type TaskResourceHandler } from './types.js';

/**
 * Every Task gets this timeout locally: the runner's default is 60 s, and a JS timer longer than
 * 2^31-1 ms fires at once. Timeouts the definition asks for are enforced, scaled, by the runner here.
 */
const localTaskTimeoutSeconds = 2_000_000;
/** Resource of the Task that stands in for a Wait on a timestamp (scaled at run time). */
const localWaitResource = 'arn:aws:lambda:us-east-1:000000000000:function:nurture-local-wait';

/** What preparing a definition needs from the server. */
export interface PrepareDeps {
  /** Simulated seconds per real second. */
  timeScale: number;
  /** Serves Task resources by Resource ARN. */
  tasks: (resource: string) => TaskResourceHandler | undefined;
  /** Tokens handed out and waiting for SendTaskSuccess/Failure. */
  tokens: Map<string, PendingToken>;
  /** Tokens whose task timed out or whose execution ended. */
  closedTokens: Set<string>;
}

/** Rewrites a definition for the local runner and builds its overrides (see server.ts's module comment). */
export function prepare(definition: Definition, record: ExecutionRecord, running: Running, tokenRef: { current: string }, deps: PrepareDeps) {
  const waitTimeOverrides: Record<string, number> = {};
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  const originalType = new Map<string, string>();
  const waitedFor = new Map<string, number>();
  const scaled = (seconds: number) => Math.max(0, Math.round((seconds * 1000) / deps.timeScale));
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        running.timers.delete(t);
        resolve();
      }, Math.max(0, ms));
      running.timers.add(t);
    });

  // States of an inline Map's processor (or a Parallel's branches) are prepared the same way: the runner
  // looks its overrides up by state name at every depth (so state names must be unique in a definition).
  const nested = (sub: { StartAt: string; States: Record<string, AslState> }) => ({ ...sub, States: walk(sub.States) });
  function walk(from: Record<string, AslState>): Record<string, AslState> {
    const states: Record<string, AslState> = {};
    for (const [name, state] of Object.entries(from)) {
      originalType.set(name, state.Type);
      if (state.Type === 'Map' && (state.ItemProcessor || state.Iterator)) {
        const key = state.ItemProcessor ? 'ItemProcessor' : 'Iterator';
        states[name] = { ...state, [key]: nested(state[key] as { StartAt: string; States: Record<string, AslState> }) };
        continue;
      }
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        states[name] = { ...state, Branches: (state.Branches as { StartAt: string; States: Record<string, AslState> }[]).map(nested) };
        continue;
      }
      if (state.Type === 'Wait' && state.SecondsPath) {
        // A Wait whose seconds come from the input: a local Task that sleeps them, scaled.
        const { SecondsPath, Type: _type, ...rest } = state;
        states[name] = { ...rest, Type: 'Task', Resource: localWaitResource, Parameters: { 'seconds.$': SecondsPath }, ResultPath: null, TimeoutSeconds: localTaskTimeoutSeconds };
        handlers[name] = async (input) => {
          await sleep(scaled(Number((input as { seconds: number }).seconds)));
          return null;
        };
        continue;
      }
      if (state.Type === 'Wait' && (state.TimestampPath || state.Timestamp)) {
        const { TimestampPath, Timestamp, Type: _type, SecondsPath: _s, ...rest } = state;
        states[name] = {
          ...rest,
          Type: 'Task',
          Resource: localWaitResource,
          Parameters: TimestampPath ? { 'until.$': TimestampPath } : { until: Timestamp },
          ResultPath: null,
          TimeoutSeconds: localTaskTimeoutSeconds,
        };
        handlers[name] = async (input) => {
          const until = Date.parse(String((input as { until: string }).until));
          // Caps and quiet hours run on the real clock: a send deferred to a time that a scaled wait
          // cannot reach would come back to this state with the same target, again and again. The first
          // wait for a target is scaled; a repeat waits for the real time, so nothing spins.
          const repeat = waitedFor.get(name) === until;
          waitedFor.set(name, until);
          await sleep((until - Date.now()) / (repeat ? 1 : deps.timeScale));
          return null;
        };
        continue;
      }
      if (state.Type === 'Wait') {
        if (typeof state.Seconds === 'number') waitTimeOverrides[name] = scaled(state.Seconds);
        states[name] = state;
        continue;
      }
      if (state.Type !== 'Task') {
        states[name] = state;
        continue;
      }
      const resource = String(state.Resource);
      const timeoutMs = typeof state.TimeoutSeconds === 'number' ? scaled(state.TimeoutSeconds) : undefined;
      states[name] = { ...state, TimeoutSeconds: localTaskTimeoutSeconds };
      const serve = deps.tasks(resource.replace(/\.waitForTaskToken$/, '')) ?? deps.tasks(resource);
      handlers[name] = async (input) => {
        if (!serve) throw new TaskError('States.Runtime', `no local handler for resource ${resource}`);
        const meta: TaskMeta = { resource, stateName: name, execution: { arn: record.executionArn, name: record.name }, token: tokenRef.current };
        let work: Promise<Json>;
        if (resource.endsWith('.waitForTaskToken')) {
          const token = tokenRef.current;
          work = new Promise<Json>((resolve, reject) => {
            deps.tokens.set(token, { executionArn: record.executionArn, resolve, reject });
            running.tokens.add(token);
            serve(input, meta).catch((err: unknown) => {
              deps.tokens.delete(token);
              reject(err);
            });
          });
        } else {
          work = serve(input, meta);
        }
        if (timeoutMs === undefined) return work;
        const token = tokenRef.current;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            if (deps.tokens.delete(token)) deps.closedTokens.add(token);
            reject(new TaskError('States.Timeout', `Task timed out after ${String(state.TimeoutSeconds)} s (scaled by ${deps.timeScale})`));
          }, timeoutMs);
          running.timers.add(timer);
        });
        try {
          return await Promise.race([work, timeout]);
        } finally {
          clearTimeout(timer);
          running.timers.delete(timer!);
        }
      };
    }
    return states;
  }
  return { definition: { ...definition, States: walk(definition.States) }, waitTimeOverrides, handlers, originalType };
}
