import * as z from 'zod/mini';
import { sfnClient } from '../shared/aws/sfn.js';
import { parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { ExecutionReader } from './adapters/executions.js';
import { scenariosAdminRoutes } from './routes.js';

const env = parseEnv(z.object({ SCENARIO_STATE_MACHINE_PREFIX: required(), SCENARIO_STATE_MACHINE_ARN_PREFIX: required() }));

/** Admin API of scenarios (admin routes: IAM on AWS, the admin token locally), read from Step Functions. */
export const handler = httpFunction('scenariosAdmin', scenariosAdminRoutes, {
  executions: new ExecutionReader(sfnClient(), { prefix: env.SCENARIO_STATE_MACHINE_PREFIX, arnPrefix: env.SCENARIO_STATE_MACHINE_ARN_PREFIX }),
});
