/**
 * Step Functions, as enrollment and the admin API use it. SDK exceptions become answers here: a name that
 * ran before is `existing`, an unknown execution or state machine is `undefined`, the rest is rethrown.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '../domain/contract.js';
import { executionArnOf } from '../domain/enrollment.js';
import {
  currentStep,
  type ExecutionDetail,
  type ExecutionPage,
  type ExecutionStatusName,
  type ExecutionSummary,
  profileOf,
  type ScenarioSummary,
} from '../domain/executions.js';
import { ScenarioInputError } from '../errors.js';

/** Executions per page; each running one costs a GetExecutionHistory call for its current step. */
export const executionsPageSize = 25;
/** Running executions counted per scenario in the overview (ListExecutions' largest page). */
export const runningCountLimit = 1000;
/** History events returned for one execution (Step Functions keeps up to 25,000). */
export const historyLimit = 1000;

const time = (d: Date | undefined) => d?.toISOString();
/** Names of the states entered, latest first or in order, as the history lists them. */
const entered = (events: HistoryEvent[]) => events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? '');

/** Starts, inspects and stops scenario executions (the enroll function). */
export class ExecutionRunner {
  constructor(private readonly sfn: SFNClient) {}

  async start(stateMachineArn: string, name: string, input: ExecutionInput): Promise<'started' | 'existing'> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (err) {
      // The same name ran before (a redelivered trigger after the execution closed): nothing to do.
      if (err instanceof ExecutionAlreadyExists) return 'existing';
      throw err;
    }
  }

  async status(executionArn: string): Promise<string | undefined> {
    try {
      return (await this.sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
  }

  async stop(executionArn: string, error: string, cause: string): Promise<void> {
    try {
      await this.sfn.send(new StopExecutionCommand({ executionArn, error, cause }));
    } catch (err) {
      if (!(err instanceof ExecutionDoesNotExist)) throw err;
    }
  }
}

/**
 * Reads scenarios and their executions from Step Functions itself, so the admin API shows the same thing
 * locally and on AWS. State machines are named `<prefix><scenario id>`.
 */
export class ExecutionReader {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machines: { prefix: string; arnPrefix: string },
  ) {}

  private arnOf(id: string): string {
    return `${this.machines.arnPrefix}${id}`;
  }

  /** Every scenario state machine with how many executions run now. */
  async scenarios(): Promise<ScenarioSummary[]> {
    const machines = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}) }));
      machines.push(...(page.stateMachines ?? []).filter((m) => m.name?.startsWith(this.machines.prefix)));
      nextToken = page.nextToken;
    } while (nextToken);
    const scenarios = await Promise.all(
      machines.map(async (m) => {
        const running = await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: m.stateMachineArn, statusFilter: 'RUNNING', maxResults: runningCountLimit }));
        return {
          id: m.name!.slice(this.machines.prefix.length),
          stateMachineArn: m.stateMachineArn!,
          running: running.executions?.length ?? 0,
          ...(running.nextToken ? { runningAtLeast: true } : {}),
        };
      }),
    );
    return scenarios.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** A page of a scenario's executions, newest first; undefined when there is no such scenario. */
  async executions(id: string, query: { status?: ExecutionStatusName; nextToken?: string }): Promise<ExecutionPage | undefined> {
    try {
      const page = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: this.arnOf(id),
          maxResults: executionsPageSize,
          ...(query.status ? { statusFilter: query.status } : {}),
          ...(query.nextToken ? { nextToken: query.nextToken } : {}),
        }),
      );
      const executions = await Promise.all((page.executions ?? []).map((e) => this.summary(e)));
      return { scenarioId: id, executions, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    } catch (err) {
      if (err instanceof StateMachineDoesNotExist) return undefined;
      if (err instanceof InvalidToken) throw new ScenarioInputError('nextToken', 'not a token from this list');
      throw err;
    }
  }

  private async summary(e: { executionArn?: string; name?: string; status?: string; startDate?: Date; stopDate?: Date }): Promise<ExecutionSummary> {
    const running = e.status === 'RUNNING';
    const [described, history] = await Promise.all([
      this.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
      running ? this.sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, reverseOrder: true, maxResults: 20 })) : undefined,
    ]);
    return {
      name: e.name,
      profileId: profileOf(described.input),
      status: e.status,
      startedAt: time(e.startDate),
      ...(e.stopDate ? { stoppedAt: time(e.stopDate) } : {}),
      ...(history ? { currentStep: currentStep(entered(history.events ?? [])) } : {}),
      ...(described.error ? { error: described.error } : {}),
    };
  }

  /** One execution and the steps it went through; undefined when there is no such execution. */
  async execution(id: string, name: string): Promise<ExecutionDetail | undefined> {
    const executionArn = executionArnOf(this.arnOf(id), name);
    try {
      const [d, h] = await Promise.all([
        this.sfn.send(new DescribeExecutionCommand({ executionArn })),
        this.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: historyLimit })),
      ]);
      const events = h.events ?? [];
      const steps = events
        .filter((e) => e.type?.endsWith('StateEntered'))
        .map((e) => ({ state: e.stateEnteredEventDetails!.name, type: e.type!.replace(/StateEntered$/, ''), at: time(e.timestamp) }));
      return {
        scenarioId: id,
        name,
        profileId: profileOf(d.input),
        status: d.status,
        startedAt: time(d.startDate),
        ...(d.stopDate ? { stoppedAt: time(d.stopDate) } : {}),
        ...(d.status === 'RUNNING' ? { currentStep: currentStep(entered([...events].reverse())) } : {}),
        ...(d.error ? { error: d.error, cause: d.cause } : {}),
        steps,
        // Billed state transitions so far (Standard workflows bill each state entered).
        transitions: steps.length,
      };
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist || err instanceof StateMachineDoesNotExist) return undefined;
      throw err;
    }
  }
}
