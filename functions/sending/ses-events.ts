import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { documentClient } from '../shared/aws.js';
import { parseEnv, required } from '../shared/env.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { sesFeedback, type SesEventDetail } from './domain/ses-feedback.js';
import { MetricUnit, observability } from '../shared/observability.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const store = new DynamoSendingStore(documentClient(), env.TABLE_NAME);
const { metrics } = observability('sesEvents');

/**
 * SES bounce and complaint events (configuration set → EventBridge): a permanent bounce or a complaint
 * suppresses the address at once; a complaint also revokes the profile's marketing consent. Idempotent:
 * the first cause of a suppression is kept, and consent that is already revoked is left as it is.
 */
export async function handler(event: EventBridgeEvent<string, SesEventDetail>): Promise<void> {
  const actions = sesFeedback(event.detail, new Date(event.time));
  const eventType = (event.detail as { eventType?: unknown }).eventType;
  const kind = eventType === 'Bounce' || eventType === 'Complaint' ? eventType : 'Other';
  metrics.addMetric(`SesFeedback_${kind}`, MetricUnit.Count, 1);
  metrics.addMetric('AddressesSuppressed', MetricUnit.Count, actions.suppress.length);
  metrics.publishStoredMetrics();
  for (const s of actions.suppress) await store.suppress(s);
  if (actions.revokeConsentOf) {
    const found = await store.resolveProfile(actions.revokeConsentOf.profileId);
    if (found) await store.setConsent(found.profileId, actions.revokeConsentOf.consent);
  }
}
