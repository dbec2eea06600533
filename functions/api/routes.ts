/**
 * Every HTTP route of Nurture: the union of the capabilities' routes modules. CDK wires these into the
 * HTTP API (infra/routes.ts), local mode's server routes to the same functions, and the OpenAPI document
 * is built from their docs.
 */
import type { Route, RouteDef } from '../shared/http.js';
import { profileRoutes } from '../profiles/routes.js';
import { pendingRoutes } from '../shared/routes.js';
import { sendingRoutes } from '../sending/routes.js';

/** Routes served through a routes module, with their documentation. */
export const documentedRoutes: readonly Route<never>[] = [...profileRoutes, ...sendingRoutes] as readonly Route<never>[];

export const routes: readonly RouteDef[] = [...pendingRoutes, ...documentedRoutes];
