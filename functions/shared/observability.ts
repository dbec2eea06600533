import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

/** CloudWatch namespace of every Nurture metric (the dashboard in infra/ reads it). */
export const metricsNamespace = 'Nurture';

export { MetricUnit };

/**
 * One structured logger and one metrics buffer per function, named after it. Locally the runtime sets
 * POWERTOOLS_METRICS_DISABLED and a quieter log level so `npm start` stays readable.
 */
export function observability(service: string, opts: { flushEveryMs?: number } = {}) {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: metricsNamespace, serviceName: service });
  /** middy middlewares: Lambda context and request id in every log line; metrics flushed after invocations. */
  const middlewares: MiddlewareObj[] = [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
    opts.flushEveryMs ? batchedMetrics(metrics, opts.flushEveryMs) : publishedMetrics(metrics),
  ];
  /** Marks the stored metrics for publication at the end of this invocation (use for alarm metrics). */
  const flushNow = () => urgent.add(metrics);
  return { logger, metrics, middlewares, flushNow };
}

/** A function's logger, metrics and middlewares, as `observability()` made them. */
export type Observed = ReturnType<typeof observability>;

const urgent = new Set<Metrics>();

/**
 * Publishes what an invocation counted after it, errors included. An invocation that counted nothing
 * (most admin reads) publishes nothing, rather than Powertools' "No application metrics" warning.
 */
function publishedMetrics(metrics: Metrics): MiddlewareObj {
  const publish = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

/**
 * For functions invoked per HTTP request (collect): one metrics log line per request would cost about as
 * much in CloudWatch Logs as the request itself. Values accumulate in the warm environment (EMF carries
 * up to 100 values per metric; Powertools flushes when full) and are published at most every
 * `everyMs`, or at once after `flushNow()`. A frozen environment may take its last unpublished counts
 * with it: acceptable for traffic counters, which is why alarm metrics call flushNow().
 */
function batchedMetrics(metrics: Metrics, everyMs: number): MiddlewareObj {
  let last = Date.now();
  const maybeFlush = () => {
    if (!urgent.has(metrics) && Date.now() - last < everyMs) return;
    urgent.delete(metrics);
    last = Date.now();
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: maybeFlush, onError: maybeFlush };
}
