import type { RouteDoc } from './openapi.js';
import { scenarioRouteDocs } from './openapi-scenarios.js';
import { sendingRouteDocs } from './openapi-sending.js';

/** Documentation of the sending and scenario routes (filled in beside their handlers' schemas). */
export const extraRouteDocs: Record<string, RouteDoc> = { ...sendingRouteDocs, ...scenarioRouteDocs };
