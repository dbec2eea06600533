import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { checkStoredForm, isFormKey } from './adapters/form-checker.js';
import { checkStoredPageKey } from './adapters/page-checker.js';
import { S3FormsContent } from './adapters/s3-content.js';
import { pagesPrefix } from './domain/reports.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required() }));
const content = new S3FormsContent(s3Client(), env.CONTENT_BUCKET, 0);

/**
 * Runs the check when a form definition (forms/) or a landing page or layout (pages/) is uploaded or
 * deleted (S3 event) and writes each report beside its source: the only thing the public function serves.
 * Replaying an event re-checks the current object. Reports and other keys are skipped.
 */
export const handler = eventFunction('formsCheck', async (event: S3Event, { logger }) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const reports = isFormKey(key) ? [await checkStoredForm(content, key)] : key.startsWith(pagesPrefix) ? await checkStoredPageKey(content, key) : [];
    for (const report of reports) {
      if (report?.ok) logger.info('checked', { key, ok: true });
      else if (report) logger.warn('checked', { key, ok: false, errors: report.errors });
    }
  }
});
