import { MetricUnit, type Observed } from '../../shared/observability.js';
import type { SendResult } from '../domain/contract.js';

/** Counts a send's outcome: sent, or skipped/deferred with its reason (cap-reached, quiet-hours, suppressed-…). */
export function reportSend({ metrics, logger }: Pick<Observed<'send'>, 'metrics' | 'logger'>, result: SendResult): SendResult {
  if (result.status === 'sent') {
    metrics.addMetric('EmailsSent', MetricUnit.Count, 1);
    return result;
  }
  if (result.status === 'skipped') {
    metrics.addMetric('EmailsSkipped', MetricUnit.Count, 1);
    metrics.addMetric(`EmailsSkipped_${result.reason}`, MetricUnit.Count, 1);
  } else {
    metrics.addMetric('EmailsDeferred', MetricUnit.Count, 1);
    metrics.addMetric(`EmailsDeferred_${result.reason}`, MetricUnit.Count, 1);
  }
  logger.info(`send ${result.status}`, { reason: result.reason });
  return result;
}
