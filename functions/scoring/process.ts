import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/env.js';
import { observability } from '../shared/observability.js';
import { decodeRecords, reportBatch } from './adapters/kinesis-records.js';
import { processorPorts } from './adapters/processor-ports.js';
import { batchItemFailures, processBatch } from './domain/process-batch.js';

const env = parseEnv(
  z.object({
    TABLE_NAME: required(),
    CONTENT_BUCKET: required(),
    EVENT_BUS_NAME: required(),
    // The lake's Firehose delivery streams (infra/analytics.ts); unset, no lake rows are written.
    LAKE_EVENTS_STREAM: z.optional(required()),
    LAKE_IDENTITY_STREAM: z.optional(required()),
  }),
);
const observe = observability('process');
const ports = processorPorts(env, (message, details) => observe.logger.error(message, details));

/**
 * Kinesis stream processor: identity resolution, scoring, activity history and domain events. Reports
 * partial batch failures, so Lambda retries from the first failed record only (profiles already
 * updated skip the replay by their shard checkpoint).
 */
async function processStream(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const records = decodeRecords(event, observe);
  if (records.length === 0) return { batchItemFailures: [] };
  const result = await processBatch(records, ports);
  reportBatch(observe, event.Records.length, result);
  return { batchItemFailures: batchItemFailures(result) };
}

export const handler = middy(processStream).use(observe.middlewares);
