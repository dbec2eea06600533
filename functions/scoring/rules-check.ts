import { CopyObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import * as z from 'zod/mini';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { observability } from '../shared/observability.js';
import { activeRulesKey, rulesCheckKey, rulesKey } from './adapters/rules-source.js';
import { InvalidRulesError, parseRules, type RulesProblem } from './domain/rules.js';

const env = parseEnv(z.object({ CONTENT_BUCKET: required() }));
const s3 = s3Client();
const { logger, middlewares } = observability('rulesCheck');

export interface RulesCheckResult {
  ok: boolean;
  key: string;
  checkedAt: string;
  version?: number;
  rules?: number;
  /** Every problem of a refused upload, in line order: `{ field, line, column, message, suggestion? }`. */
  problems?: RulesProblem[];
}

/**
 * Runs on every upload of rules/scoring.yaml (S3 event): a valid document is copied to
 * rules/active/scoring.yaml, where the processor reads it; an invalid one is refused and the previous
 * active version stays in force. Either way the verdict is written to rules/scoring.check.json.
 */
async function checkRules(event: S3Event): Promise<RulesCheckResult[]> {
  const results: RulesCheckResult[] = [];
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (key !== rulesKey) continue;
    const bucket = record.s3.bucket.name || env.CONTENT_BUCKET;
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const source = await object.Body!.transformToString();
    let result: RulesCheckResult;
    try {
      const doc = parseRules(source);
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: activeRulesKey, CopySource: `${bucket}/${key}` }));
      result = { ok: true, key, checkedAt: new Date().toISOString(), version: doc.version, rules: doc.rules.length };
    } catch (err) {
      if (!(err instanceof InvalidRulesError)) throw err;
      result = { ok: false, key, checkedAt: new Date().toISOString(), problems: err.problems };
      logger.warn('scoring rules refused', { problems: err.problems });
    }
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: rulesCheckKey, Body: JSON.stringify(result, null, 2), ContentType: 'application/json' }),
    );
    results.push(result);
  }
  return results;
}

export const handler = middy(checkRules).use(middlewares);
