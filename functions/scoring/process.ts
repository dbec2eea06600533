import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { DynamoLinkStore } from '../identity/adapters/dynamo-link-store.js';
import { identify } from '../identity/domain/identify.js';
import type { Stage } from '../identity/domain/profile.js';
import type { CollectedEvent } from '../ingest/domain/enrich.js';
import { resumeWaits } from '../scenarios/adapters/task-tokens.js';
import { documentClient, s3Client } from '../shared/aws.js';
import { parseEnv, required } from '../shared/env.js';
import { ProfileStore, rankPartition } from './adapters/profile-store.js';
import { DomainEventPublisher } from './adapters/publisher.js';
import { defaultRulesFromEnv, RulesSource } from './adapters/rules-source.js';
import { processBatch, type ProcessorPorts, type StreamEvent } from './domain/process-batch.js';
import { MetricUnit, observability } from '../shared/observability.js';

const env = parseEnv(
  z.object({
    TABLE_NAME: required(),
    CONTENT_BUCKET: required(),
    EVENT_BUS_NAME: required(),
  }),
);

const { logger, metrics, middlewares } = observability('process');
const doc = documentClient();
const links = new DynamoLinkStore(doc, env.TABLE_NAME);
// Reading links only (resolving events' profiles): eventually consistent is enough and costs half.
const linkReader = new DynamoLinkStore(doc, env.TABLE_NAME, false);
export const profileStore = new ProfileStore(doc, env.TABLE_NAME);
const sfn = new SFNClient({});
const publisher = new DomainEventPublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME);
const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);

const ports: ProcessorPorts = {
  links: linkReader,
  identify: (call) => identify(call, links),
  profiles: profileStore,
  rankPartition,
  publish: (events) => publisher.publish(events),
  rules: () => rules.current(),
  // Scenario executions waiting for an event of this person (only called when the profile waits).
  resumeWaits: (profileId, eventName, event) =>
    resumeWaits({ doc, sfn, tableName: env.TABLE_NAME }, profileId, eventName, event as unknown as Record<string, unknown>),
  now: () => new Date(),
  log: (message, details) => logger.error(message, details),
};

/** Turns Kinesis records into events; an undecodable record is logged and skipped, never retried forever. */
function decode(event: KinesisStreamEvent): StreamEvent[] {
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

/**
 * Kinesis stream processor: identity resolution, scoring, activity history and domain events. Reports
 * partial batch failures, so Lambda retries from the first failed record only (profiles already
 * updated skip the replay by their shard checkpoint).
 */
async function processStream(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const records = decode(event);
  if (records.length === 0) return { batchItemFailures: [] };
  const result = await processBatch(records, ports);
  metrics.addMetric('EventsScored', MetricUnit.Count, result.applied);
  metrics.addMetric('BotEventsSkipped', MetricUnit.Count, result.skippedBots);
  metrics.addMetric('ProfilesUpdated', MetricUnit.Count, result.profiles);
  if (result.failed.length > 0) metrics.addMetric('ProfileUpdateFailures', MetricUnit.Count, result.failed.length);
  for (const [stage, n] of Object.entries(result.stagesEntered)) metrics.addMetric(`LeadsEntered_${stage as Stage}`, MetricUnit.Count, n);
  logger.info('batch processed', { records: event.Records.length, applied: result.applied, profiles: result.profiles, failed: result.failed.length });
  const firstFailed = result.failed.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
  return { batchItemFailures: firstFailed ? [{ itemIdentifier: firstFailed }] : [] };
}

export const handler = middy(processStream).use(middlewares);
