/** The segments sweep's ports (due people and back-fills) wired to DynamoDB, S3 and EventBridge, once per container. */
import { ProfileStore } from '../../profiles/adapters/profile-store.js';
import { DomainEventPublisher } from '../../scoring/adapters/publisher.js';
import { defaultRulesFromEnv, RulesSource } from '../../scoring/adapters/rules-source.js';
import { lifecycleThresholds } from '../../scoring/domain/lifecycle.js';
import type { DomainEventOut } from '../../scoring/domain/score.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { eventBridgeClient } from '../../shared/aws/eventbridge.js';
import { s3Client } from '../../shared/aws/s3.js';
import type { BackfillPorts } from '../domain/backfill.js';
import type { DueSweepPorts } from '../domain/due-sweep.js';
import { reevaluate, type ReevaluatePorts } from '../domain/reevaluate.js';
import { deploySegments } from '../domain/step.js';
import { DynamoBackfillStore } from './backfill-store.js';
import { DynamoSegmentStore } from './definition-store.js';
import { SegmentsDueIndex } from './due-index.js';
import { DynamoMembershipStore } from './membership-store.js';
import { PartitionPages } from './partition-pages.js';

export interface SweepEnv {
  TABLE_NAME: string;
  CONTENT_BUCKET: string;
  EVENT_BUS_NAME: string;
}

export function sweepPorts(env: SweepEnv): { due: DueSweepPorts; backfill: BackfillPorts } {
  const doc = documentClient();
  const publisher = new DomainEventPublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
  const definitions = new DynamoSegmentStore(doc, env.TABLE_NAME);
  const memberships = new DynamoMembershipStore(doc, env.TABLE_NAME);
  const pages = new PartitionPages(doc, env.TABLE_NAME);
  const base: ReevaluatePorts = {
    profiles: new ProfileStore(doc, env.TABLE_NAME),
    memberships,
    publish: (events) => publisher.publish(events as DomainEventOut[]),
  };
  // Each run reads the definitions afresh: a back-fill must never evaluate a definition it replaced.
  const segments = async () => deploySegments((await definitions.list()).map((s) => s.segment));
  const lifecycle = async () => lifecycleThresholds(await rules.current());
  return {
    due: { ...base, due: new SegmentsDueIndex(doc, env.TABLE_NAME), segments, lifecycle },
    backfill: {
      jobs: new DynamoBackfillStore(doc, env.TABLE_NAME),
      page: (partition, cursor, limit) => pages.page(partition, cursor, limit),
      evaluate: async (ids) => reevaluate(ids, await segments(), new Date(), base, { lifecycle: await lifecycle() }),
      purge: async (segmentId, ids) => {
        const at = new Date().toISOString();
        let removed = 0;
        for (const id of ids) if (await memberships.apply(id, { type: 'segment.exited', segmentId, at, since: at })) removed++;
        return removed;
      },
      clock: Date.now,
    },
  };
}
