import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { sesClient } from '../shared/aws/sesv2.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { linkEnv, sendingConfigFromEnv } from './adapters/env.js';
import { loadLinkSecret } from './adapters/link-secret.js';
import { mailRecommendationsFromEnv } from './adapters/recommendations.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { reportSend } from './adapters/send-metrics.js';
import { SesMailer } from './adapters/ses-mailer.js';
import { type SendPorts, send } from './domain/send.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
const ports: SendPorts = {
  config: sendingConfigFromEnv(),
  store: new DynamoSendingStore(documentClient(), env.TABLE_NAME),
  templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
  mailer: new SesMailer(sesClient()),
  linkSecret: await loadLinkSecret(linkEnv()),
  recommendations: mailRecommendationsFromEnv(documentClient(), env.TABLE_NAME),
};

/**
 * The send step (a Step Functions Lambda task; input and output in domain/contract.ts). Errors are thrown
 * by name for the state machine's Retry/Catch (functions/sending/errors.ts).
 */
export const handler = eventFunction('send', async (event: unknown, observed) => reportSend(observed, await send(event, ports)), {
  errorMetric: 'SendErrors',
});
