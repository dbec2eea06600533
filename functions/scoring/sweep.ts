import { eventBridgeClient } from '../shared/aws/eventbridge.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type QueryCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { profilePk, profileSk } from '../identity/domain/profile.js';
import { mainTable } from '../shared/resources.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { rankPartition, rankShards } from './adapters/profile-store.js';
import { DomainEventPublisher } from './adapters/publisher.js';
import { MetricUnit, observability } from '../shared/observability.js';
import { defaultRulesFromEnv, RulesSource } from './adapters/rules-source.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required(), EVENT_BUS_NAME: required() }));
const { logger, metrics, middlewares } = observability('sweep');
const doc = documentClient();
const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
const publisher = new DomainEventPublisher(eventBridgeClient(), env.EVENT_BUS_NAME);

const activeStages = ['known', 'mql', 'sql', 'customer'] as const;
const byScore = mainTable.indexes[0]!.name;

/**
 * Daily: known leads without activity for `stages.dormantAfterDays` become dormant (and return to
 * their stage on their next event). Reads the ranking index, where every known lead is kept; a lead
 * that became active meanwhile is left alone (conditional update on lastSeenAt).
 */
async function sweep(input: { now?: string } = {}): Promise<{ dormant: number; scanned: number }> {
  const doc_ = await rules.current();
  const days = doc_.stages.dormantAfterDays;
  if (!days) return { dormant: 0, scanned: 0 };
  const now = input.now ?? new Date().toISOString();
  const cutoff = new Date(Date.parse(now) - days * 86_400_000).toISOString();
  let dormant = 0;
  let scanned = 0;
  for (const stage of activeStages) {
    for (let shard = 0; shard < rankShards; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page: QueryCommandOutput = await doc.send(
          new QueryCommand({
            TableName: env.TABLE_NAME,
            IndexName: byScore,
            KeyConditionExpression: 'gsi1pk = :pk',
            FilterExpression: 'lastSeenAt < :cutoff',
            ExpressionAttributeValues: { ':pk': `rank#${stage}#${shard}`, ':cutoff': cutoff },
            ProjectionExpression: 'profileId, lastSeenAt, stage',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        scanned += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) {
          const profileId = String(item.profileId);
          try {
            await doc.send(
              new UpdateCommand({
                TableName: env.TABLE_NAME,
                Key: { pk: profilePk(profileId), sk: profileSk },
                // Bumping v makes a concurrent processor update re-read and see the new stage.
                UpdateExpression: 'SET stage = :dormant, stageBeforeDormant = :stage, gsi1pk = :pk, v = v + :one',
                ConditionExpression: 'lastSeenAt = :seen AND stage = :stage',
                ExpressionAttributeValues: {
                  ':dormant': 'dormant',
                  ':stage': stage,
                  ':pk': rankPartition('dormant', profileId),
                  ':one': 1,
                  ':seen': item.lastSeenAt,
                },
              }),
            );
          } catch (err) {
            if (err instanceof ConditionalCheckFailedException) continue;
            throw err;
          }
          dormant++;
          await publisher.publish([
            {
              detailType: 'lead.stage_changed',
              detail: { profileId, messageId: `dormant:${profileId}:${item.lastSeenAt}`, occurredAt: now, from: stage, to: 'dormant', score: 0 },
            },
          ]);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
  }
  metrics.addMetric('LeadsMadeDormant', MetricUnit.Count, dormant);
  logger.info('dormancy sweep', { dormant, scanned, cutoff });
  return { dormant, scanned };
}

export const handler = middy(sweep).use(middlewares);
