import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { sesClient } from '../shared/aws/sesv2.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { MetricUnit } from '../shared/observability.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { linkEnv, sendingConfigFromEnv } from './adapters/env.js';
import { loadLinkSecret } from './adapters/link-secret.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { SesMailer } from './adapters/ses-mailer.js';
import { type SendPorts, send } from './domain/send.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
const ports: SendPorts = {
  config: sendingConfigFromEnv(),
  store: new DynamoSendingStore(documentClient(), env.TABLE_NAME),
  templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
  mailer: new SesMailer(sesClient()),
  linkSecret: await loadLinkSecret(linkEnv()),
};

/**
 * The send step (a Step Functions Lambda task; input and output in domain/contract.ts). Errors are thrown
 * by name for the state machine's Retry/Catch (functions/sending/errors.ts).
 */
export const handler = eventFunction('send', async (event: unknown, { metrics, logger }) => {
  const result = await send(event, ports);
  // Sent, or Skipped/Deferred by reason (cap-reached, quiet-hours, suppressed, unsubscribed, …).
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
}, { errorMetric: 'SendErrors' });
