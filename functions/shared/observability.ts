import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { MetricName, MetricService } from './metric-names.js';

/** CloudWatch namespace of every Nurture metric (the dashboard in infra/ reads it). */
export const metricsNamespace = 'Nurture';

export { MetricUnit };

/** Powertools' Metrics whose addMetric takes only the names of one service's catalogue entry. */
export type NamedMetrics<N extends string> = Omit<Metrics, 'addMetric'> & {
  addMetric(name: N, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void;
};

/**
 * One structured logger and one metrics buffer per function, named after it. Locally the runtime sets
 * POWERTOOLS_METRICS_DISABLED and a quieter log level so `npm start` stays readable.
 */
export function observability<S extends string>(service: S, opts: { flushEveryMs?: number } = {}) {
  const logger = new Logger({ serviceName: service });
  const buffer = new Metrics({ namespace: metricsNamespace, serviceName: service });
  // Typed with the catalogue (metric-names.ts): a name the dashboard could not know about fails tsc.
  const metrics = buffer as NamedMetrics<MetricName<S>>;
  /** middy middlewares: Lambda context and request id in every log line; metrics flushed after invocations. */
  const middlewares: MiddlewareObj[] = [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
    opts.flushEveryMs ? batchedMetrics(buffer, opts.flushEveryMs) : publishedMetrics(buffer),
  ];
  /** Marks the stored metrics for publication at the end of this invocation (use for alarm metrics). */
  const flushNow = () => urgent.add(buffer);
  return { logger, metrics, middlewares, flushNow };
}

/** A function's logger, metrics and middlewares, as `observability()` made them. */
export type Observed<S extends string = MetricService> = ReturnType<typeof observability<S>>;

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
