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
  return send(event, ports);
}
