import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { MetricUnit } from '../shared/observability.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { applySesFeedback, type SesEventDetail } from './domain/ses-feedback.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const store = new DynamoSendingStore(documentClient(), env.TABLE_NAME);

/**
 * SES bounce and complaint events (configuration set → EventBridge): a permanent bounce or a complaint
 * suppresses the address at once; a complaint also revokes the profile's marketing consent. Idempotent:
 * the first cause of a suppression is kept, and consent that is already revoked is left as it is.
 */
export const handler = eventFunction('sesEvents', async (event: EventBridgeEvent<string, SesEventDetail>, { metrics }) => {
  // Bounces and complaints by name; any other feedback type SES may add counts as Other (metric-names.ts).
  const eventType = (event.detail as { eventType?: unknown }).eventType;
  const kind = eventType === 'Bounce' || eventType === 'Complaint' ? eventType : 'Other';
  const { suppressed } = await applySesFeedback(event.detail, new Date(event.time), store);
  metrics.addMetric(`SesFeedback_${kind}`, MetricUnit.Count, 1);
  metrics.addMetric('AddressesSuppressed', MetricUnit.Count, suppressed);
});
