/** The formsAdmin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { s3Client } from '../../shared/aws/s3.js';
import { parseEnv, required } from '../../shared/env.js';
import type { FormsAdminPorts } from '../admin-routes.js';
import { S3FormsContent } from './s3-content.js';
import { DynamoStatsReader } from './stats-reader.js';
import { DynamoSubmissionReader } from './submission-reader.js';

export function formsAdminPortsFromEnv(): FormsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
  const doc = documentClient();
  return {
    // No cache: the admin reads what was just written.
    content: new S3FormsContent(s3Client(), env.CONTENT_BUCKET, 0),
    submissions: new DynamoSubmissionReader(doc, env.TABLE_NAME),
    stats: new DynamoStatsReader(doc, env.TABLE_NAME),
    now: () => new Date(),
  };
}
