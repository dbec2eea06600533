import type { Context } from 'aws-lambda';
import type { FunctionName } from './functions.js';
import type { MetricName } from './metric-names.js';
import { MetricUnit, type Observed, observability } from './observability.js';

export interface EventFunctionOptions<N extends string> {
  /** Metric counted once per failed invocation (alarms and the dashboard read it). */
  readonly errorMetric?: MetricName<N>;
}

/**
 * The Lambda handler of a function an AWS service invokes with an event (a Step Functions task, an
 * EventBridge rule, an S3 notification): the shared observability, metrics published after every
 * invocation, and a failure logged with its error name before it is rethrown (Step Functions' Retry and
 * Catch match on that name). The context is optional: local mode calls some handlers with the event only.
 */
export function eventFunction<E, R, N extends FunctionName = FunctionName>(
  name: N,
  run: (event: E, observed: Observed<N>) => Promise<R>,
  opts: EventFunctionOptions<N> = {},
) {
  const observed = observability(name);
  const { logger, metrics } = observed;
  return async function handler(event: E, context?: Context): Promise<R> {
    if (context) logger.addContext(context);
    try {
      return await run(event, observed);
    } catch (err) {
      if (opts.errorMetric) metrics.addMetric(opts.errorMetric, MetricUnit.Count, 1);
      logger.error(`${name} failed`, { error: String(err), name: (err as Error)?.name });
      throw err;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
