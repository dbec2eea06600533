/**
 * Every HTTP route of Nurture: the union of the capabilities' routes modules. CDK wires these into the
 * HTTP API (infra/routes.ts), local mode's server routes to the same functions, and the OpenAPI document
 * (functions/api/openapi.ts) is built from their docs.
 */
import { analyticsRoutes } from '../analytics/routes.js';
import { broadcastsRoutes } from '../broadcasts/routes.js';
import { channelsRoutes } from '../channels/routes.js';
import { crmRoutes } from '../crm/routes.js';
import { formsRoutes } from '../forms/routes.js';
import { ingestRoutes } from '../ingest/routes.js';
import { recommendationsRoutes } from '../recommendations/routes.js';
import { profileRoutes } from '../profiles/routes.js';
import { scenariosRoutes } from '../scenarios/routes.js';
import { segmentsRoutes } from '../segments/routes.js';
import { sendingRoutes } from '../sending/routes.js';
import type { RouteDef } from '../shared/http.js';
import type { RouteDoc } from '../shared/route-docs.js';

/** A route with its documentation. */
export type DocumentedRoute = RouteDef & { readonly doc: RouteDoc };

export const routes: readonly DocumentedRoute[] = [...ingestRoutes, ...profileRoutes, ...sendingRoutes, ...scenariosRoutes, ...analyticsRoutes, ...channelsRoutes, ...segmentsRoutes, ...broadcastsRoutes, ...recommendationsRoutes, ...formsRoutes, ...crmRoutes];
