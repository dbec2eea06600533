import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';

/**
 * Puts mail feedback (opens, clicks, unsubscribes) on the events stream. Feeding back must never cost the
 * recipient their click or page: a failed put is logged, not thrown.
 */
export function feedbackSink(sink: Pick<KinesisSink, 'put'>, logger: Pick<Logger, 'error'>) {
  return async function feed(events: CollectedEvent[]): Promise<void> {
    try {
      await sink.put(events);
    } catch (err) {
      logger.error('email event not stored', { error: String(err), messageId: events[0]?.messageId });
    }
  };
}
