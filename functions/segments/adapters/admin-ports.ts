/** The segments admin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { parseEnv, required } from '../../shared/env.js';
import type { SegmentsAdminPorts } from '../routes.js';
import { DynamoBackfillStore } from './backfill-store.js';
import { DynamoSegmentStore } from './definition-store.js';
import { DynamoMemberShards } from './member-shards.js';
import { DynamoMembershipStore } from './membership-store.js';
import { DynamoProfileBatch } from './profile-batch.js';

export function segmentsAdminPortsFromEnv(): SegmentsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required() }));
  const doc = documentClient();
  return {
    segments: new DynamoSegmentStore(doc, env.TABLE_NAME),
    membership: new DynamoMembershipStore(doc, env.TABLE_NAME),
    backfills: new DynamoBackfillStore(doc, env.TABLE_NAME),
    shards: new DynamoMemberShards(doc, env.TABLE_NAME),
    profiles: new DynamoProfileBatch(doc, env.TABLE_NAME),
    now: () => new Date(),
  };
}
