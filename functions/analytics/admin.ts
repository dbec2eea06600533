import * as z from 'zod/mini';
import { DynamoCostStore } from '../channels/adapters/cost-store.js';
import { DynamoRegistryStore } from '../channels/adapters/registry-store.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { lakeEngineFromEnv } from './adapters/lake-engine.js';
import { reportTemplate, sqlFragments } from './adapters/report-sql.js';
import { reports } from './reports/index.js';
import { analyticsAdminRoutes } from './routes.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const doc = documentClient();
const engine = await lakeEngineFromEnv();

/** Admin reports over the event lake (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('analyticsAdmin', analyticsAdminRoutes, {
  engine,
  reports,
  template: reportTemplate,
  fragments: sqlFragments,
  now: () => new Date(),
  // The media registry and ad costs of channels (main table, read only).
  registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
  costs: new DynamoCostStore(doc, env.TABLE_NAME),
});
