/** The stream processor's ports wired to DynamoDB, EventBridge, S3 and Step Functions (once, at module load). */
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { identify } from '../../identity/domain/identify.js';
import { ProfileStore } from '../../profiles/adapters/profile-store.js';
import { rankPartition } from '../../profiles/domain/profile.js';
import { resumeWaits } from '../../scenarios/adapters/task-tokens.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { eventBridgeClient } from '../../shared/aws/eventbridge.js';
import { s3Client } from '../../shared/aws/s3.js';
import { sfnClient } from '../../shared/aws/sfn.js';
import type { Outbox, ProcessorPorts } from '../domain/process-batch.js';
import { DomainEventPublisher } from './publisher.js';
import { defaultRulesFromEnv, RulesSource } from './rules-source.js';
import { SetAsideStore } from './set-aside-store.js';

export function processorPorts(
  env: { TABLE_NAME: string; CONTENT_BUCKET: string; EVENT_BUS_NAME: string },
  log: (message: string, details: Record<string, unknown>) => void,
): ProcessorPorts {
  const doc = documentClient();
  const sfn = sfnClient();
  const links = new DynamoLinkStore(doc, env.TABLE_NAME);
  const publisher = new DomainEventPublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
  const setAside = new SetAsideStore(doc, env.TABLE_NAME);
  return {
    // Reading links only (resolving events' profiles): eventually consistent is enough and costs half.
    links: new DynamoLinkStore(doc, env.TABLE_NAME, false),
    identify: (call) => identify(call, links),
    profiles: new ProfileStore<Outbox>(doc, env.TABLE_NAME),
    rankPartition,
    setAside: (record) => setAside.put(record),
    publish: (events) => publisher.publish(events),
    rules: () => rules.current(),
    // Scenario executions waiting for an event of this person (only called when the profile waits).
    resumeWaits: (profileId, eventName, event) =>
      resumeWaits({ doc, sfn, tableName: env.TABLE_NAME }, profileId, eventName, event as unknown as Record<string, unknown>),
    now: () => new Date(),
    log,
  };
}
