import { httpFunction } from '../shared/http-function.js';
import { lakeEngineFromEnv } from './adapters/lake-engine.js';
import { reportTemplate, sqlFragments } from './adapters/report-sql.js';
import { reports } from './reports/index.js';
import { analyticsAdminRoutes } from './routes.js';

const engine = await lakeEngineFromEnv();

/** Admin reports over the event lake (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('analyticsAdmin', analyticsAdminRoutes, {
  engine,
  reports,
  template: reportTemplate,
  fragments: sqlFragments,
  now: () => new Date(),
});
