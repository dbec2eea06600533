/**
 * HTTP routes not yet moved into their capability's routes module (see functions/api/routes.ts). Pure data.
 */

import type { RouteDef } from './http.js';

export type { FunctionName } from './functions.js';
export { functionEntries } from './functions.js';
export type { RouteDef } from './http.js';

/** Segment HTTP Tracking API paths; every one accepts a single message (or `batch` for /v1/batch). */
export const segmentPaths = [
  '/v1/batch',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/identify',
  '/v1/alias',
  '/v1/group',
] as const;

/**
 * Routes whose function does not yet serve them from its capability's routes module (functions/<cap>/routes.ts
 * with their documentation); functions/api/routes.ts joins both.
 */
export const pendingRoutes: readonly RouteDef[] = [
  ...segmentPaths.map((path): RouteDef => ({ method: 'POST', path, fn: 'collect', cors: true })),
  { method: 'GET', path: '/v1/pixel.gif', fn: 'collect', cors: false },
  // Mail links (sending): open pixel, click redirect, unsubscribe page + RFC 8058 one-click, view in browser.
  { method: 'GET', path: '/v1/t/o/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/t/c/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/u/{token}', fn: 'mailLinks', cors: false },
  { method: 'POST', path: '/v1/u/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/v/{token}', fn: 'mailLinks', cors: false },
  // Scenarios: state machines, their executions (current step) and an execution's history.
  { method: 'GET', path: '/v1/admin/scenarios', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/scenarios/{id}/executions', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/scenarios/{id}/executions/{name}', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
];

