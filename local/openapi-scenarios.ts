import * as z from 'zod/mini';
import type { RouteDoc } from './openapi.js';

const clientError = {
  type: 'object',
  properties: { success: { const: false }, error: { type: 'string' }, field: { type: 'string' } },
  required: ['success', 'error'],
};
const adminErrors = {
  '400': { description: 'Bad parameter; `field` names it', schema: clientError },
  '401': { description: 'No credentials (locally: no admin token)' },
  '403': { description: 'Credentials not accepted' },
  '404': { description: 'Not found', schema: clientError },
};
const execution = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    profileId: { type: 'string' },
    status: { enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
    startedAt: { type: 'string' },
    stoppedAt: { type: 'string' },
    currentStep: { type: 'string', description: 'Step id the execution is in (running executions only)' },
    error: { type: 'string', description: '`GoalReached` when the goal stopped it' },
  },
};

/** OpenAPI documentation of the scenario admin routes (functions/scenarios/admin.ts). */
export const scenarioRouteDocs: Record<string, RouteDoc> = {
  'GET /v1/admin/scenarios': {
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
      ...adminErrors,
    },
  },
  'GET /v1/admin/scenarios/{id}/executions': {
    summary: 'Executions of a scenario, newest first, with the current step of running ones (25 a page)',
    tags: ['admin', 'scenarios'],
    query: z.object({
      status: z.optional(z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'running', 'succeeded', 'failed', 'timed_out', 'aborted'])),
      nextToken: z.optional(z.string()),
    }),
    responses: {
      '200': { description: 'Executions', schema: { type: 'object', properties: { scenarioId: { type: 'string' }, executions: { type: 'array', items: execution }, nextToken: { type: 'string' } } } },
      ...adminErrors,
    },
  },
  'GET /v1/admin/scenarios/{id}/executions/{name}': {
    summary: "One execution: the person, its status, and every step it entered with the time (history from Step Functions)",
    tags: ['admin', 'scenarios'],
    responses: {
      '200': {
        description: 'Execution',
        schema: {
          type: 'object',
          properties: {
            ...execution.properties,
            steps: { type: 'array', items: { type: 'object', properties: { state: { type: 'string' }, type: { type: 'string' }, at: { type: 'string' } } } },
            transitions: { type: 'integer', description: 'Billed state transitions so far' },
          },
        },
      },
      ...adminErrors,
    },
  },
};
