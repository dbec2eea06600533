import * as z from 'zod/mini';
import { documentClient, s3Client, sesClient } from '../shared/aws.js';
import { parseEnv, required } from '../shared/env.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { sendingConfigFromEnv, linkEnv } from './adapters/env.js';
import { loadLinkSecret } from './adapters/link-secret.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { SesMailer } from './adapters/ses-mailer.js';
import type { SendResult } from './domain/contract.js';
import { type SendPorts, send } from './domain/send.js';
import { MetricUnit, observability } from '../shared/observability.js';

const { metrics, logger } = observability('send');
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
 * by name for the state machine's Retry/Catch: SendInputError, TemplateError (nothing sent),
 * SendInProgressError and SendRetryableError (retry later).
 */
export async function handler(event: unknown): Promise<SendResult> {
  try {
    const result = await send(event, ports);
    // Sent, or Skipped/Deferred by reason (cap-reached, quiet-hours, suppressed, unsubscribed, …).
    if (result.status === 'sent') metrics.addMetric('EmailsSent', MetricUnit.Count, 1);
    else {
      const skipped = result.status === 'skipped';
      metrics.addMetric(skipped ? 'EmailsSkipped' : 'EmailsDeferred', MetricUnit.Count, 1);
      metrics.addMetric(skipped ? `EmailsSkipped_${result.reason}` : `EmailsDeferred_${result.reason}`, MetricUnit.Count, 1);
      logger.info(`send ${result.status}`, { reason: result.reason });
    }
    return result;
  } catch (err) {
    metrics.addMetric('SendErrors', MetricUnit.Count, 1);
    logger.error('send failed', { error: String(err), name: (err as Error).name });
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
}
