/** The formsAdmin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { s3Client } from '../../shared/aws/s3.js';
import { parseEnv, required } from '../../shared/env.js';
import type { FormsAdminPorts } from '../routes.js';
import { checkStoredPage } from './page-checker.js';
import { DynamoPageStats } from './page-stats.js';
import { S3FormsContent } from './s3-content.js';
import { DynamoStatsReader } from './stats-reader.js';
import { DynamoSubmissionReader } from './submission-reader.js';

export function formsAdminPortsFromEnv(): FormsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required(), PUBLIC_API_URL: z.url() }));
  const doc = documentClient();
  // No cache: the admin reads what was just written.
  const content = new S3FormsContent(s3Client(), env.CONTENT_BUCKET, 0);
  const formStats = new DynamoStatsReader(doc, env.TABLE_NAME);
  const pageStats = new DynamoPageStats(doc, env.TABLE_NAME);
  return {
    content,
    submissions: new DynamoSubmissionReader(doc, env.TABLE_NAME),
    stats: { days: (formId, from, to) => formStats.days(formId, from, to), pageDays: (slug, from) => pageStats.pageDays(slug, from) },
    check: (key) => checkStoredPage(content, key),
    publicApiUrl: env.PUBLIC_API_URL.replace(/\/+$/, ''),
    now: () => new Date(),
  };
}
