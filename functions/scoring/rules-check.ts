import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { observability } from '../shared/observability.js';
import { rulesUploadsOf, S3RulesUploads } from './adapters/rules-uploads.js';
import { checkRulesUpload, type RulesCheckResult, type RulesUploadPorts } from './domain/rules-check.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required() }));
const { logger, middlewares } = observability('rulesCheck');
const ports: RulesUploadPorts = {
  uploads: new S3RulesUploads(s3Client()),
  now: () => new Date(),
  warn: (message, details) => logger.warn(message, details),
};

/**
 * Runs on every upload of rules/scoring.yaml (S3 event): a valid document is copied to
 * rules/active/scoring.yaml, where the processor reads it; an invalid one is refused and the previous
 * active version stays in force. Either way the verdict is written to rules/scoring.check.json.
 */
async function checkRules(event: S3Event): Promise<RulesCheckResult[]> {
  const results: RulesCheckResult[] = [];
  for (const upload of rulesUploadsOf(event, env.CONTENT_BUCKET)) {
    results.push(await checkRulesUpload(upload, ports));
  }
  return results;
}

export const handler = middy(checkRules).use(middlewares);
