import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { checkStoredTemplate } from './adapters/template-checker.js';
import { S3TemplateStore } from './adapters/s3-templates.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required() }));
const store = new S3TemplateStore(s3Client(), env.CONTENT_BUCKET);

/**
 * Runs the template check when a template is uploaded or deleted (S3 event) and writes the report beside
 * it, `templates/<id>.check.json`: what the marketer reads, and what the send function renders. Replaying
 * an event re-checks the current object and writes the same report.
 */
export const handler = eventFunction('templateCheck', async (event: S3Event, { logger }) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const report = await checkStoredTemplate(store, key);
    if (report?.ok) logger.info('template checked', { key, ok: true });
    else if (report) logger.warn('template checked', { key, ok: false, errors: report.errors });
  }
});
