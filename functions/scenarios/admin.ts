/**
 * Admin API of scenarios, read from Step Functions itself (so it shows the same thing locally and on AWS):
 * - GET /v1/admin/scenarios: every scenario state machine with its running executions;
 * - GET /v1/admin/scenarios/{id}/executions?status=&nextToken=: executions, with the current step of
 *   running ones;
 * - GET /v1/admin/scenarios/{id}/executions/{name}: one execution and the steps it went through.
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { ClientError } from '../shared/errors.js';
import { parseEnv, required } from '../shared/env.js';
import { httpErrors, json } from '../shared/http.js';
import { sfnClient } from './adapters/sfn.js';
import type { ExecutionInput } from './domain/contract.js';

const env = parseEnv(z.object({ SCENARIO_STATE_MACHINE_PREFIX: required(), SCENARIO_STATE_MACHINE_ARN_PREFIX: required() }));
const sfn = sfnClient();

/** Executions per page; each running one costs a GetExecutionHistory call for its current step. */
export const executionsPageSize = 25;
/** Running executions counted per scenario in the overview (ListExecutions' largest page). */
export const runningCountLimit = 1000;
/** History events returned for one execution (Step Functions keeps up to 25,000). */
export const historyLimit = 1000;

const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

class NotFound extends ClientError {
  override name = 'NotFoundError';
  constructor(what: string, field: string) {
    super(404, `${what} not found`, { field });
  }
}

const arnOf = (id: string) => `${env.SCENARIO_STATE_MACHINE_ARN_PREFIX}${id}`;
const time = (d: Date | undefined) => d?.toISOString();

function profileOf(input: string | undefined): string | undefined {
  try {
    return (JSON.parse(input ?? '{}') as Partial<ExecutionInput>).profileId;
  } catch {
    return undefined;
  }
}

/** The step an execution is in: the latest state it entered (helper states `<step>.x` count as `<step>`). */
function currentStep(events: HistoryEvent[]): string | undefined {
  const entered = events.find((e) => e.type?.endsWith('StateEntered'));
  return entered?.stateEnteredEventDetails?.name?.split('.')[0];
}

async function listScenarios() {
  const machines = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}) }));
    machines.push(...(page.stateMachines ?? []).filter((m) => m.name?.startsWith(env.SCENARIO_STATE_MACHINE_PREFIX)));
    nextToken = page.nextToken;
  } while (nextToken);
  const scenarios = await Promise.all(
    machines.map(async (m) => {
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: m.stateMachineArn, statusFilter: 'RUNNING', maxResults: runningCountLimit }));
      return {
        id: m.name!.slice(env.SCENARIO_STATE_MACHINE_PREFIX.length),
        stateMachineArn: m.stateMachineArn,
        running: running.executions?.length ?? 0,
        ...(running.nextToken ? { runningAtLeast: true } : {}),
      };
    }),
  );
  return { scenarios: scenarios.sort((a, b) => a.id.localeCompare(b.id)) };
}

async function listExecutions(id: string, query: Record<string, string | undefined>) {
  const status = query.status?.toUpperCase();
  if (status && !(statuses as readonly string[]).includes(status)) {
    throw new ClientError(400, `status is one of ${statuses.join(', ')}`, { field: 'status' });
  }
  try {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: arnOf(id),
        maxResults: executionsPageSize,
        ...(status ? { statusFilter: status as ExecutionStatus } : {}),
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
      }),
    );
    const executions = await Promise.all(
      (page.executions ?? []).map(async (e) => {
        const running = e.status === 'RUNNING';
        const [described, history] = await Promise.all([
          sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
          running ? sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, reverseOrder: true, maxResults: 20 })) : undefined,
        ]);
        return {
          name: e.name,
          profileId: profileOf(described.input),
          status: e.status,
          startedAt: time(e.startDate),
          ...(e.stopDate ? { stoppedAt: time(e.stopDate) } : {}),
          ...(history ? { currentStep: currentStep(history.events ?? []) } : {}),
          ...(described.error ? { error: described.error } : {}),
        };
      }),
    );
    return { scenarioId: id, executions, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  } catch (err) {
    if (err instanceof StateMachineDoesNotExist) throw new NotFound(`scenario ${id}`, 'id');
    throw err;
  }
}

async function getExecution(id: string, name: string) {
  const executionArn = `${arnOf(id).replace(':stateMachine:', ':execution:')}:${name}`;
  try {
    const [d, h] = await Promise.all([
      sfn.send(new DescribeExecutionCommand({ executionArn })),
      sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: historyLimit })),
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
      ...(d.status === 'RUNNING' ? { currentStep: currentStep([...events].reverse()) } : {}),
      ...(d.error ? { error: d.error, cause: d.cause } : {}),
      steps,
      /** Billed state transitions so far (Standard workflows bill each state entered). */
      transitions: steps.length,
    };
  } catch (err) {
    if (err instanceof ExecutionDoesNotExist || err instanceof StateMachineDoesNotExist) throw new NotFound(`execution ${name} of scenario ${id}`, 'name');
    throw err;
  }
}

async function scenariosAdmin(event: APIGatewayProxyEventV2) {
  const { id, name } = event.pathParameters ?? {};
  if (id !== undefined && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) throw new ClientError(400, 'not a scenario id', { field: 'id' });
  if (name !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new ClientError(400, 'not an execution name', { field: 'name' });
  if (id === undefined) return json(200, await listScenarios());
  if (name === undefined) return json(200, await listExecutions(id, event.queryStringParameters ?? {}));
  return json(200, await getExecution(id, name));
}

export const handler = middy(scenariosAdmin).use(httpErrors());
