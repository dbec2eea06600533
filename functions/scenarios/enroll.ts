import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { sfnClient } from '../shared/aws/sfn.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { EnrollmentStore } from './adapters/enrollment-store.js';
import { ExecutionRunner } from './adapters/executions.js';
import { ProfileFacts } from './adapters/profile-facts.js';
import { enroll, type EnrollPorts } from './domain/enroll.js';
import { parseEnrollInput } from './domain/enroll-input.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const doc = documentClient();
const ports: EnrollPorts = {
  enrollments: new EnrollmentStore(doc, env.TABLE_NAME),
  facts: new ProfileFacts(doc, env.TABLE_NAME),
  executions: new ExecutionRunner(sfnClient()),
  now: () => new Date(),
};

/**
 * enroll: the target of every scenario's trigger rule, goal rule, and of Step Functions' execution status
 * events (inputs in domain/enroll-input.ts). Applies the re-entry policy and starts executions under
 * deterministic names, stops a person's execution when they reach the goal, and records how executions ended.
 */
export const handler = eventFunction('enroll', async (event: unknown, { logger }) => {
  const input = parseEnrollInput(event);
  const result = await enroll(input, ports);
  logger.info(`scenario ${input.kind}`, { ...('scenarioId' in input ? { scenarioId: input.scenarioId } : {}), ...result });
  return result;
});
