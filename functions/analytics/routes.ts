/**
 * HTTP routes of analytics, with their OpenAPI documentation: one admin route per report over the event
 * lake (each documented with its own parameters), and the erasure requests' routes (erasure-routes.ts).
 * Adding a report: its SQL text and module under reports/, a row in reports/index.ts, and a test.
 */
import { adminErrorResponses, type RouteDoc } from '../shared/route-docs.js';
import { json, type Route, routesOf } from '../shared/http.js';
import { type AttributionPorts, runAttribution } from './domain/attribution.js';
import type { AnyReport } from './domain/report.js';
import { runReport } from './domain/run-report.js';
import { erasureRoutes, type ErasureRoutesPorts } from './erasure-routes.js';
import { attribution } from './reports/attribution.js';
import { reports } from './reports/index.js';

/**
 * What the analytics admin function wires at module load: the lake engine, the report texts, the media
 * registry and (optional) the ad costs the attribution report joins.
 */
export type AnalyticsAdminPorts = AttributionPorts;

const answerSchema = {
  type: 'object',
  properties: {
    report: { type: 'string' },
    parameters: { type: 'object', description: 'The parameters used, defaults filled in' },
    rows: { type: 'array', items: { type: 'object' } },
    bytesScanned: { type: 'number', description: 'Bytes the engine read (Athena: DataScannedInBytes; DuckDB: bytes read from the lake files)' },
    elapsedMs: { type: 'number' },
    engine: { enum: ['athena', 'duckdb'] },
  },
  required: ['report', 'parameters', 'bytesScanned', 'elapsedMs', 'engine'],
};

const common =
  '`from`/`to`: UTC days YYYY-MM-DD, inclusive (default: the last 30 days; at most 366 days). Rows repeated by at-least-once delivery count once; ' +
  'a person is the profile reached by following merges, so their anonymous history counts as theirs. ';

const responses: RouteDoc['responses'] = {
  '200': { description: 'The report', schema: answerSchema },
  ...adminErrorResponses,
  '413': { description: "The query would read more than the workgroup's scan limit: ask for a shorter window" },
  '503': { description: 'The query did not finish in time (25 s); retry or ask for a shorter window' },
};

function reportRoute(r: AnyReport) {
  return {
    method: 'GET' as const,
    path: `/v1/admin/analytics/${r.name}`,
    auth: 'admin' as const,
    doc: { summary: r.summary, description: common + r.description, tags: ['admin', 'analytics'], query: r.query, responses },
    async handle(req: { query: Record<string, string> }, ports: AnalyticsAdminPorts) {
      return json(200, await runReport(r.name, req.query, ports));
    },
  };
}

/** Attribution joins ad costs after the query (domain/attribution.ts), so it has its own route. */
const attributionRoute = {
  ...reportRoute(attribution),
  doc: {
    ...reportRoute(attribution).doc,
    responses: {
      ...responses,
      '200': {
        description: 'The report: `rows` per model, channel, medium and campaign; `totals` per model',
        schema: { ...answerSchema, properties: { ...answerSchema.properties, totals: { type: 'object', description: 'Per model: the figures of every conversion and all costs' } } },
      },
    },
  },
  async handle(req: { query: Record<string, string> }, ports: AnalyticsAdminPorts) {
    return json(200, await runAttribution(req.query, ports));
  },
};

/** The report routes. */
export const analyticsAdminRoutes = routesOf<AnalyticsAdminPorts>('analyticsAdmin', [
  ...Object.values(reports)
    .filter((r) => r !== attribution)
    .map(reportRoute),
  attributionRoute,
  // No catch-all `{report}` route answering 404 for a name that is no report: API Gateway (and local
  // mode) answer 404 for a route that does not exist, OpenAPI lists the reports, and a route is one of
  // the stack's 500 CloudFormation resources (scenarios need them: README "Scenarios").
]);

/** What the analytics admin function wires: the reports' ports and the erasure requests' (adapters/admin-ports.ts). */
export type AnalyticsFunctionPorts = AnalyticsAdminPorts & ErasureRoutesPorts;

/**
 * Every route of analytics, all served by the analyticsAdmin function: the reports and the erasure
 * requests (one function rather than two saves its role, policy, log group, integration and permission).
 */
export const analyticsRoutes: Route<AnalyticsFunctionPorts>[] = [...analyticsAdminRoutes, ...erasureRoutes];
