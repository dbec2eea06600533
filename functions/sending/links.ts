import * as z from 'zod/mini';
import { KinesisSink } from '../ingest/adapters/kinesis-sink.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { observability } from '../shared/observability.js';
import { DynamoConsentStore } from '../forms/adapters/consent-store.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { linkEnv, senderFromEnv } from './adapters/env.js';
import { feedbackSink } from './adapters/feedback-sink.js';
import { loadLinkSecret } from './adapters/link-secret.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { mailLinkRoutes } from './routes.js';

const env = {
  ...linkEnv(),
  // LOCAL_INBOX_ORIGINS: origins of a page that shows sent mail and loads its images itself (npm start's SES inbox).
  ...parseEnv(z.object({ EVENTS_STREAM_NAME: required(), CONTENT_BUCKET: required(), LOCAL_INBOX_ORIGINS: z.optional(z.string()) })),
};
const observed = observability('mailLinks');
const [doc, sender] = [documentClient(), senderFromEnv()];

/** Public mail links: open pixel, click redirect, unsubscribe page and one-click POST, view in browser. */
export const handler = httpFunction('mailLinks', mailLinkRoutes, {
  secret: await loadLinkSecret(env),
  base: env.PUBLIC_API_URL.replace(/\/+$/, ''),
  store: new DynamoSendingStore(doc, env.TABLE_NAME),
  templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
  feed: feedbackSink(new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME), observed.logger),
  inboxOrigins: (env.LOCAL_INBOX_ORIGINS ?? '').split(',').filter(Boolean),
  ledger: new DynamoConsentStore(doc, env.TABLE_NAME),
  ...(sender ? { sender } : {}),
  now: () => new Date(),
  log: (message, details) => observed.logger.error(message, details),
}, { observed });
