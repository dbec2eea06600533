/**
 * HTTP routes of scenarios, with their OpenAPI documentation: the admin view of scenarios (one state
 * machine each), their executions with the current step, and one execution's history.
 */
import * as z from 'zod/mini';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { type HttpRequest, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, type JsonSchema } from '../shared/route-docs.js';
import {
  type ExecutionDetail,
  type ExecutionPage,
  type ExecutionStatusName,
  executionStatuses as statuses,
  isExecutionStatus as isStatus,
  type ScenarioSummary,
} from './domain/executions.js';
import { ScenarioInputError } from './errors.js';

/** What the scenarios admin function wires at module load (adapters/executions.ts). */
export interface ScenariosAdminPorts {
  executions: {
    scenarios(): Promise<ScenarioSummary[]>;
    executions(id: string, query: { status?: ExecutionStatusName; nextToken?: string }): Promise<ExecutionPage | undefined>;
    execution(id: string, name: string): Promise<ExecutionDetail | undefined>;
  };
}

/** Query of the executions list: `status` in any case. */
export const executionsQuery = z.object({
  status: z.optional(z.string().check(z.refine((s) => isStatus(s.toUpperCase()), `one of ${statuses.join(', ')}`))),
  nextToken: z.optional(z.string()),
});

const execution: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    profileId: { type: 'string' },
    status: { enum: [...statuses] },
    startedAt: { type: 'string' },
    stoppedAt: { type: 'string' },
    currentStep: { type: 'string', description: 'Step id the execution is in (running executions only)' },
    error: { type: 'string', description: '`GoalReached` when the goal stopped it' },
  },
};

function scenarioIdOf(req: HttpRequest): string {
  const id = req.params.id ?? '';
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(id)) throw new BadRequestError('id', 'not a scenario id');
  return id;
}

export const scenariosAdminRoutes = routesOf<ScenariosAdminPorts>('scenariosAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/scenarios',
    auth: 'admin',
    doc: {
      summary: 'Scenarios (one state machine each) and how many people are in each now',
      tags: ['admin', 'scenarios'],
      responses: {
        '200': {
          description: 'Scenarios',
          schema: {
            type: 'object',
            properties: { scenarios: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, stateMachineArn: { type: 'string' }, running: { type: 'integer' } } } } },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(_req, { executions }) {
      return json(200, { scenarios: await executions.scenarios() });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/scenarios/{id}/executions',
    auth: 'admin',
    doc: {
      summary: 'Executions of a scenario, newest first, with the current step of running ones (25 a page)',
      description: `\`status\`: ${statuses.join(', ')} (any case); \`nextToken\` from the previous page.`,
      tags: ['admin', 'scenarios'],
      query: executionsQuery,
      responses: {
        '200': { description: 'Executions', schema: { type: 'object', properties: { scenarioId: { type: 'string' }, executions: { type: 'array', items: execution }, nextToken: { type: 'string' } } } },
        ...adminErrorResponses,
      },
    },
    async handle(req, { executions }) {
      const id = scenarioIdOf(req);
      const q = parseQuery(executionsQuery, req);
      const status = q.status?.toUpperCase();
      try {
        const page = await executions.executions(id, { ...(status && isStatus(status) ? { status } : {}), ...(q.nextToken ? { nextToken: q.nextToken } : {}) });
        if (!page) throw new NotFoundError(`scenario ${id} not found`, 'id');
        return json(200, page);
      } catch (err) {
        if (err instanceof ScenarioInputError) throw new BadRequestError(err.field, err.problem, { cause: err });
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/scenarios/{id}/executions/{name}',
    auth: 'admin',
    doc: {
      summary: 'One execution: the person, its status, and every step it entered with the time (history from Step Functions)',
      tags: ['admin', 'scenarios'],
      responses: {
        '200': {
          description: 'Execution',
          schema: {
            type: 'object',
            properties: {
              ...(execution.properties as Record<string, unknown>),
              steps: { type: 'array', items: { type: 'object', properties: { state: { type: 'string' }, type: { type: 'string' }, at: { type: 'string' } } } },
              transitions: { type: 'integer', description: 'Billed state transitions so far' },
            },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, { executions }) {
      const id = scenarioIdOf(req);
      const name = req.params.name ?? '';
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new BadRequestError('name', 'not an execution name');
      const found = await executions.execution(id, name);
      if (!found) throw new NotFoundError(`execution ${name} of scenario ${id} not found`, 'name');
      return json(200, found);
    },
  },
]);

/** Every route of scenarios. */
export const scenariosRoutes = [...scenariosAdminRoutes];
