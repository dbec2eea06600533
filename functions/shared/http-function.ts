import middy from '@middy/core';
import { cors } from './cors.js';
import type { FunctionName } from './functions.js';
import { httpErrors, type Route, serveRoutes } from './http.js';
import { type Observed, observability } from './observability.js';

export interface HttpFunctionOptions {
  /** Browser origins allowed to call (shared/cors.ts): preflight answered, CORS headers on every answer. */
  readonly cors?: readonly string[];
  /** The function's observability when its ports use it too (a use case's metrics); else one is made. */
  readonly observed?: Observed;
}

/**
 * The Lambda handler of a function that serves HTTP routes: the shared observability (logger with the
 * request id, metrics), dispatch by route, and client errors as JSON naming the field (others: a generic
 * 500, details in the log).
 */
export function httpFunction<P>(name: FunctionName, routes: readonly Route<P>[], ports: P, opts: HttpFunctionOptions = {}) {
  const { logger, middlewares } = opts.observed ?? observability(name);
  const fn = middy(serveRoutes(routes, ports)).use(middlewares);
  if (opts.cors) fn.use(cors(opts.cors));
  return fn.use(httpErrors({ log: (entry) => logger.error(String(entry.message), entry) }));
}
