/**
 * The local stand-in for Step Functions: an HTTP endpoint speaking the AWS JSON 1.0 protocol
 * (`AWSStepFunctions.<Op>`), so handlers use the real SFNClient through AWS_ENDPOINT_URL_SFN, running
 * executions with aws-local-stepfunctions. Waits and task timeouts are divided by the time scale, Task
 * resources are served in-process (Lambda functions by ARN, DynamoDB and EventBridge integrations through
 * the real SDK against the emulators), and executions with their history persist in the data folder.
 */
// aws-local-stepfunctions calls Promise.withResolvers (Node 22); this is the only polyfill it needs on Node 20.
import 'core-js/actual/promise/with-resolvers.js';
import { host, listenOn } from '../start.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StateMachine } from 'aws-local-stepfunctions';
import { prepare } from './prepare.js';
import { closeRecord, ExecutionStore, paginate, recordHistory } from './store.js';
import type { Definition, ExecutionRecord, ExecutionStatus, Json, PendingToken, Running, TaskResourceHandler } from './types.js';
import { SfnError, TaskError } from './types.js';

export { maxClosedExecutions, maxHistoryEvents } from './store.js';
export { TaskError } from './types.js';
export type { Definition, ExecutionRecord, ExecutionStatus, HistoryEvent, TaskMeta, TaskResourceHandler } from './types.js';

export interface LocalStepFunctionsOptions {
  region?: string;
  accountId?: string;
  /** Simulated seconds per real second: a 1-day Wait lasts 86400 / timeScale real seconds. */
  timeScale?: number;
  /** Serves Task resources; `resource` is the state's Resource ARN. */
  tasks: (resource: string) => TaskResourceHandler | undefined;
  /** Called when an execution starts and when it ends (local mode turns it into an EventBridge event). */
  onStatusChange?: (execution: ExecutionRecord) => void;
  /** JSON file where executions and their history persist across restarts. */
  persistFile?: string;
}

export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  readonly timeScale: number;
  private readonly machines = new Map<string, { name: string; definition: Definition; createdAt: number }>();
  private readonly store: ExecutionStore;
  private readonly executions: Map<string, ExecutionRecord>;
  private readonly running = new Map<string, Running>();
  private readonly tokens = new Map<string, PendingToken>();
  /** Tokens whose task timed out or whose execution ended: SendTask* answers TaskTimedOut for them. */
  private readonly closedTokens = new Set<string>();
  private readonly settled = new Map<string, Promise<void>>();
  private readonly server: Server;
  /** Set while stopping: aborted runs stay RUNNING in the saved file, to resume at the next start. */
  private closing = false;

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.timeScale = opts.timeScale ?? 1;
    this.server = createServer((req, res) => void this.serve(req, res));
    this.store = new ExecutionStore(opts.persistFile);
    this.executions = this.store.executions;
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  /** Adds (or replaces) a state machine; its definition must have every placeholder filled. */
  register(name: string, definition: Definition): string {
    // Validated once here (asl-validator takes tens of milliseconds); executions skip it.
    new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
    const arn = this.stateMachineArn(name);
    this.machines.set(arn, { name, definition, createdAt: this.machines.get(arn)?.createdAt ?? Date.now() });
    return arn;
  }

  /**
   * Continues executions that were running when local mode stopped, from the state they were in (with
   * that state's input): a wait starts over, a waiting-for-event task hands out a new token.
   */
  resumeInterrupted(): number {
    let n = 0;
    for (const e of this.executions.values()) {
      if (e.status !== 'RUNNING' || this.running.has(e.executionArn)) continue;
      const machine = this.machines.get(e.stateMachineArn);
      const entered = [...e.history].reverse().find((h) => String(h.type).endsWith('StateEntered'));
      const details = entered?.stateEnteredEventDetails as { name: string; input: string } | undefined;
      if (!machine || !details || !machine.definition.States[details.name]) {
        this.finish(e, 'ABORTED', { error: 'Local.Restart', cause: 'the state machine changed while local mode was stopped' });
        continue;
      }
      this.launch(e, { ...machine.definition, StartAt: details.name }, JSON.parse(details.input) as Json);
      n++;
    }
    return n;
  }

  async listen(port: number): Promise<string> {
    return `http://${host}:${await listenOn(this.server, port, 'sfn')}`;
  }

  /** Stops serving; running executions are left RUNNING in the saved file and resume on the next start. */
  async close(): Promise<void> {
    this.closing = true;
    for (const [arn, r] of this.running) {
      r.timers.forEach(clearTimeout);
      r.abort();
      this.running.delete(arn);
    }
    for (const [token, p] of this.tokens) {
      p.reject(new TaskError('Local.Shutdown', 'local mode stopped'));
      this.tokens.delete(token);
    }
    await Promise.allSettled([...this.settled.values()]);
    this.store.saveNow();
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Resolves once the execution has closed (tests and benchmarks). */
  async waitFor(executionArn: string, timeoutMs = 20_000): Promise<ExecutionRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.executions.get(executionArn);
      if (e && e.status !== 'RUNNING') return e;
      if (Date.now() > deadline) throw new Error(`execution ${executionArn} still ${e?.status ?? 'unknown'} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Every execution (newest first), for tests and the benchmark. */
  list(stateMachineArn?: string): ExecutionRecord[] {
    return [...this.executions.values()]
      .filter((e) => !stateMachineArn || e.stateMachineArn === stateMachineArn)
      .sort((a, b) => b.startDate - a.startDate);
  }

  // ---- API operations -------------------------------------------------------------------------------

  startExecution(req: { stateMachineArn?: string; name?: string; input?: string }) {
    const machine = req.stateMachineArn ? this.machines.get(req.stateMachineArn) : undefined;
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`);
    const name = req.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const input = req.input ?? '{}';
    let parsed: Json;
    try {
      parsed = JSON.parse(input) as Json;
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As on AWS (Standard): same name and input while running is idempotent; otherwise the name is taken.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate / 1000 };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: req.stateMachineArn!,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input,
      history: [],
    };
    this.executions.set(executionArn, record);
    this.launch(record, machine.definition, parsed);
    this.opts.onStatusChange?.(record);
    return { executionArn, startDate: record.startDate / 1000 };
  }

  stopExecution(req: { executionArn?: string; error?: string; cause?: string }) {
    const e = this.get(req.executionArn);
    if (e.status === 'RUNNING') {
      const r = this.running.get(e.executionArn);
      this.finish(e, 'ABORTED', { ...(req.error ? { error: req.error } : {}), ...(req.cause ? { cause: req.cause } : {}) });
      r?.abort();
    }
    return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
  }

  describeExecution(req: { executionArn?: string }) {
    const e = this.get(req.executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate / 1000,
      ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
      input: e.input,
      ...(e.output !== undefined ? { output: e.output } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.cause ? { cause: e.cause } : {}),
    };
  }

  listExecutions(req: { stateMachineArn?: string; statusFilter?: string; maxResults?: number; nextToken?: string }) {
    if (!req.stateMachineArn || !this.machines.has(req.stateMachineArn)) {
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`);
    }
    const all = this.list(req.stateMachineArn).filter((e) => !req.statusFilter || e.status === req.statusFilter);
    const { page, nextToken } = paginate(all, req.maxResults || 100, req.nextToken);
    return {
      executions: page.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  getExecutionHistory(req: { executionArn?: string; maxResults?: number; reverseOrder?: boolean; nextToken?: string }) {
    const e = this.get(req.executionArn);
    const events = req.reverseOrder ? [...e.history].reverse() : e.history;
    const { page, nextToken } = paginate(events, req.maxResults || 1000, req.nextToken);
    return { events: page.map((h) => ({ ...h, timestamp: h.timestamp / 1000 })), ...(nextToken ? { nextToken } : {}) };
  }

  sendTaskSuccess(req: { taskToken?: string; output?: string }) {
    const pending = this.takeToken(req.taskToken);
    let output: Json;
    try {
      output = JSON.parse(req.output ?? 'null') as Json;
    } catch {
      throw new SfnError('InvalidOutput', 'Invalid output: not JSON');
    }
    pending.resolve(output);
    return {};
  }

  sendTaskFailure(req: { taskToken?: string; error?: string; cause?: string }) {
    this.takeToken(req.taskToken).reject(new TaskError(req.error ?? 'States.TaskFailed', req.cause ?? ''));
    return {};
  }

  sendTaskHeartbeat(req: { taskToken?: string }) {
    if (!req.taskToken || !this.tokens.has(req.taskToken)) this.takeToken(req.taskToken);
    return {};
  }

  listStateMachines() {
    return {
      stateMachines: [...this.machines.entries()].map(([arn, m]) => ({
        stateMachineArn: arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: m.createdAt / 1000,
      })),
    };
  }

  describeStateMachine(req: { stateMachineArn?: string }) {
    const m = req.stateMachineArn ? this.machines.get(req.stateMachineArn) : undefined;
    if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`);
    return {
      stateMachineArn: req.stateMachineArn,
      name: m.name,
      status: 'ACTIVE',
      definition: JSON.stringify(m.definition),
      roleArn: `arn:aws:iam::${this.accountId}:role/nurture-local`,
      type: 'STANDARD',
      creationDate: m.createdAt / 1000,
    };
  }

  // ---- execution ------------------------------------------------------------------------------------

  private get(executionArn: string | undefined): ExecutionRecord {
    const e = executionArn ? this.executions.get(executionArn) : undefined;
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  private takeToken(token: string | undefined): PendingToken {
    if (!token) throw new SfnError('InvalidToken', 'Invalid Token: empty');
    const pending = this.tokens.get(token);
    if (pending) {
      this.tokens.delete(token);
      this.closedTokens.add(token);
      return pending;
    }
    if (this.closedTokens.has(token)) throw new SfnError('TaskTimedOut', 'Task Timed Out: the task is no longer waiting');
    throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist');
  }

  private launch(record: ExecutionRecord, definition: Definition, input: Json) {
    const running: Running = { abort: () => undefined, timers: new Set(), tokens: new Set() };
    const tokenRef = { current: '' };
    const prepared = prepare(definition, record, running, tokenRef, { timeScale: this.timeScale, tasks: this.opts.tasks, tokens: this.tokens, closedTokens: this.closedTokens });
    const machine = new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } });
    const context = {
      Execution: { Id: record.executionArn, Name: record.name, StartTime: new Date(record.startDate).toISOString(), RoleArn: `arn:aws:iam::${this.accountId}:role/nurture-local` },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineArn.split(':').pop() },
      // Read once per state by the runner's JSONPath: each read hands out a new token / the current time.
      Task: {
        get Token() {
          tokenRef.current = randomUUID();
          return tokenRef.current;
        },
      },
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
    };
    const run = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: prepared.handlers as never, waitTimeOverrides: prepared.waitTimeOverrides },
      context: context as never,
      noThrowOnAbort: true,
    });
    running.abort = run.abort;
    this.running.set(record.executionArn, running);

    const logs = recordHistory(record, run.eventLogs, prepared.originalType, () => this.closing);
    const done = run.result.then(
      async (output) => {
        await logs;
        if (this.closing) return;
        if (record.status === 'RUNNING') this.finish(record, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (err: unknown) => {
        await logs;
        if (this.closing || record.status !== 'RUNNING') return;
        const cause = (err as { cause?: Error }).cause ?? err;
        const error = cause instanceof Error ? cause.name : 'States.Runtime';
        const timedOut = (err as Error)?.name === 'ExecutionTimeoutError';
        this.finish(record, timedOut ? 'TIMED_OUT' : 'FAILED', { error, cause: cause instanceof Error ? cause.message : String(cause) });
      },
    );
    this.settled.set(record.executionArn, done);
    void done.finally(() => this.settled.delete(record.executionArn));
  }

  private finish(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>, extra: { output?: string; error?: string; cause?: string }) {
    if (record.status !== 'RUNNING') return;
    closeRecord(record, status, extra);
    const running = this.running.get(record.executionArn);
    if (running) {
      running.timers.forEach(clearTimeout);
      for (const token of running.tokens) {
        this.tokens.get(token)?.reject(new TaskError('States.Aborted', 'execution ended'));
        if (this.tokens.delete(token)) this.closedTokens.add(token);
      }
      this.running.delete(record.executionArn);
    }
    this.store.prune();
    this.opts.onStatusChange?.(record);
    this.store.scheduleSave();
  }

  // ---- HTTP -----------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const send = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(body));
    };
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, never>;
      const ops: Record<string, (b: Record<string, never>) => unknown> = {
        StartExecution: (b) => this.startExecution(b),
        StopExecution: (b) => this.stopExecution(b),
        DescribeExecution: (b) => this.describeExecution(b),
        ListExecutions: (b) => this.listExecutions(b),
        GetExecutionHistory: (b) => this.getExecutionHistory(b),
        SendTaskSuccess: (b) => this.sendTaskSuccess(b),
        SendTaskFailure: (b) => this.sendTaskFailure(b),
        SendTaskHeartbeat: (b) => this.sendTaskHeartbeat(b),
        ListStateMachines: () => this.listStateMachines(),
        DescribeStateMachine: (b) => this.describeStateMachine(b),
      };
      const handler = ops[op];
      if (!handler) {
        send(400, { __type: 'UnknownOperationException', message: `local Step Functions does not implement ${target}` }, 'UnknownOperationException');
        return;
      }
      send(200, handler(body));
      if (op === 'StartExecution' || op === 'StopExecution') this.store.scheduleSave();
    } catch (err) {
      if (err instanceof SfnError) send(400, { __type: err.type, message: err.message }, err.type);
      else send(500, { __type: 'InternalError', message: String(err) }, 'InternalError');
    }
  }
}
