import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DynamoServingStore } from '../../recommendations/adapters/serving-store.js';
import { servingLimits } from '../../recommendations/domain/serving.js';
import { recommendForRecipient } from '../../recommendations/mail.js';
import { parseEnv } from '../../shared/env.js';
import type { RecommendationSource } from '../domain/send.js';

const share = z.pipe(z.string(), z.pipe(z.transform(Number), z.number().check(z.minimum(0), z.maximum(1))));

/**
 * Recommendations in mail for every function that runs the send use case (the send function, segment
 * email's page task): serving's reads of the main table, in-process, with the site's control share
 * (CONTROL_SHARE, set by infra/sending.ts beside the other sending variables).
 */
export function mailRecommendationsFromEnv(doc: DynamoDBDocumentClient, tableName: string, env: NodeJS.ProcessEnv = process.env): RecommendationSource {
  const { CONTROL_SHARE } = parseEnv(z.object({ CONTROL_SHARE: z._default(share, servingLimits.defaultControlShare) }), env);
  const reads = new DynamoServingStore(doc, tableName);
  return (recipient, spec) => recommendForRecipient(recipient, spec, { reads, controlShare: CONTROL_SHARE });
}
