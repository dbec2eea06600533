/** The stream processor's Kinesis side: records in, and what a processed batch reports as metrics and logs. */
import type { KinesisStreamEvent } from 'aws-lambda';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { MetricUnit, type Observed } from '../../shared/observability.js';
import type { Stage } from '../../profiles/domain/profile.js';
import type { BatchResult, StreamEvent } from '../domain/process-batch.js';

type Observe = Pick<Observed<'process'>, 'logger' | 'metrics'>;

/** Turns Kinesis records into events; an undecodable record is logged and skipped, never retried forever. */
export function decodeRecords(event: KinesisStreamEvent, { logger, metrics }: Observe): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const r of event.Records) {
    try {
      const data = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as CollectedEvent;
      if (!data || typeof data !== 'object' || typeof data.messageId !== 'string' || typeof data.type !== 'string') {
        throw new Error('not a Nurture event envelope');
      }
      data.context ??= {};
      data.nurture ??= { v: 1, bot: false };
      out.push({ seq: r.kinesis.sequenceNumber, shard: r.eventID.split(':')[0] ?? 'shard', event: data });
    } catch (err) {
      metrics.addMetric('UndecodableRecords', MetricUnit.Count, 1);
      logger.error('undecodable record skipped', { sequenceNumber: r.kinesis.sequenceNumber, error: String(err) });
    }
  }
  return out;
}

/** Metrics and the log line of one processed batch. */
export function reportBatch({ logger, metrics }: Observe, records: number, result: BatchResult): void {
  metrics.addMetric('EventsScored', MetricUnit.Count, result.applied);
  metrics.addMetric('BotEventsSkipped', MetricUnit.Count, result.skippedBots);
  metrics.addMetric('ProfilesUpdated', MetricUnit.Count, result.profiles);
  if (result.failed.length > 0) metrics.addMetric('ProfileUpdateFailures', MetricUnit.Count, result.failed.length);
  if (result.setAside > 0) metrics.addMetric('EventsSetAside', MetricUnit.Count, result.setAside);
  for (const [stage, n] of Object.entries(result.stagesEntered)) metrics.addMetric(`LeadsEntered_${stage as Stage}`, MetricUnit.Count, n);
  logger.info('batch processed', { records, applied: result.applied, setAside: result.setAside, profiles: result.profiles, failed: result.failed.length });
}
