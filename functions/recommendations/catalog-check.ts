import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { checkCatalogUpload } from './adapters/catalog-upload-check.js';
import { DynamoCatalogStore } from './adapters/catalog-store.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required(), TABLE_NAME: required() }));
const deps = { s3: s3Client(), bucket: env.CONTENT_BUCKET, catalog: new DynamoCatalogStore(documentClient(), env.TABLE_NAME) };

/**
 * Checks a catalog upload (`catalog/products.csv|json`, S3 notification) and writes its products when every
 * row is good, and the report `<key>.check.json` beside it either way.
 */
export const handler = eventFunction('recommendationsCatalogCheck', async (event: S3Event, { logger }) => {
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const report = await checkCatalogUpload(deps, key);
    if (report) logger[report.ok ? 'info' : 'warn']('catalog checked', { key, ok: report.ok, products: report.products, problems: report.problemCount });
  }
});
