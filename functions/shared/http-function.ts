import middy from '@middy/core';
import type { FunctionName } from './functions.js';
import { httpErrors, type Route, serveRoutes } from './http.js';
import { observability } from './observability.js';

/**
 * The Lambda handler of a function that serves HTTP routes: the shared observability (logger with the
 * request id, metrics), dispatch by route, and client errors as JSON naming the field (others: a generic
 * 500, details in the log).
 */
export function httpFunction<P>(name: FunctionName, routes: readonly Route<P>[], ports: P) {
  const { logger, middlewares } = observability(name);
  return middy(serveRoutes(routes, ports))
    .use(middlewares)
    .use(httpErrors({ log: (entry) => logger.error(String(entry.message), entry) }));
}
