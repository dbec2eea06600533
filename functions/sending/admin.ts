import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { DynamoConsentStore } from '../forms/adapters/consent-store.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { sendingAdminRoutes } from './routes.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));

/** Operator API of sending (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('sendingAdmin', sendingAdminRoutes, {
  store: new DynamoSendingStore(documentClient(), env.TABLE_NAME),
  templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
  consents: new DynamoConsentStore(documentClient(), env.TABLE_NAME),
  now: () => new Date(),
});
