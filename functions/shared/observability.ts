import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';

/** CloudWatch namespace of every Nurture metric (the dashboard in infra/ reads it). */
export const metricsNamespace = 'Nurture';

export { MetricUnit };

/**
 * One structured logger and one metrics buffer per function, named after it. Locally the runtime sets
 * POWERTOOLS_METRICS_DISABLED and a quieter log level so `npm start` stays readable.
 */
export function observability(service: string) {
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ namespace: metricsNamespace, serviceName: service });
  /** middy middlewares: Lambda context and request id in every log line; metrics flushed after each invocation. */
  const middlewares: MiddlewareObj[] = [
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
    logMetrics(metrics) as MiddlewareObj,
  ];
  return { logger, metrics, middlewares };
}
