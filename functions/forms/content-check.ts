import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { checkStoredForm, isFormKey } from './adapters/form-checker.js';
import { S3FormsContent } from './adapters/s3-content.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required() }));
const content = new S3FormsContent(s3Client(), env.CONTENT_BUCKET, 0);

/**
 * Runs the form check when a definition under forms/ is uploaded or deleted (S3 event) and writes the
 * report beside it, `forms/<id>.check.json`: the only thing the public functions serve. Replaying an
 * event re-checks the current object. Other keys (reports, pages/ until their check joins) are skipped.
 */
export const handler = eventFunction('formsCheck', async (event: S3Event, { logger }) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!isFormKey(key)) continue;
    const report = await checkStoredForm(content, key);
    if (report?.ok) logger.info('form checked', { key, ok: true });
    else if (report) logger.warn('form checked', { key, ok: false, errors: report.errors });
  }
});
