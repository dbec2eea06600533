/** The stream processor's ports wired to DynamoDB, EventBridge, S3, Step Functions and Firehose (once, at module load). */
import { FirehoseLake, lakeStreamEnv } from '../../analytics/adapters/firehose-lake.js';
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { identify } from '../../identity/domain/identify.js';
import { ProfileStore } from '../../profiles/adapters/profile-store.js';
import { rankPartition } from '../../profiles/domain/profile.js';
import { resumeWaits } from '../../scenarios/adapters/task-tokens.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { eventBridgeClient } from '../../shared/aws/eventbridge.js';
import { firehoseClient } from '../../shared/aws/firehose.js';
import { s3Client } from '../../shared/aws/s3.js';
import { sfnClient } from '../../shared/aws/sfn.js';
import { EnvError } from '../../shared/env.js';
import type { Outbox, ProcessorPorts } from '../domain/process-batch.js';
import { DomainEventPublisher } from './publisher.js';
import { defaultRulesFromEnv, RulesSource } from './rules-source.js';
import { SetAsideStore } from './set-aside-store.js';
import { DynamoSegmentStore } from '../../segments/adapters/definition-store.js';
import { DeployedSegmentsSource } from '../../segments/adapters/deployed-source.js';
import { DynamoMembershipStore } from '../../segments/adapters/membership-store.js';

export interface ProcessorEnv {
  TABLE_NAME: string;
  CONTENT_BUCKET: string;
  EVENT_BUS_NAME: string;
  /** Delivery streams of the lake's tables; without both, the processor writes no lake rows. */
  LAKE_EVENTS_STREAM?: string | undefined;
  LAKE_IDENTITY_STREAM?: string | undefined;
}

/** The lake sink when both delivery streams are named; one without the other is a deployment mistake. */
function lakeOf(env: ProcessorEnv): FirehoseLake | undefined {
  const { LAKE_EVENTS_STREAM: events, LAKE_IDENTITY_STREAM: identity } = env;
  if (!events && !identity) return undefined;
  if (!events || !identity) {
    throw new EnvError(`Invalid environment: ${events ? lakeStreamEnv.identity : lakeStreamEnv.events}: required when ${events ? lakeStreamEnv.events : lakeStreamEnv.identity} is set`);
  }
  return new FirehoseLake(firehoseClient(), { events, identity });
}

export function processorPorts(
  env: ProcessorEnv,
  log: (message: string, details: Record<string, unknown>) => void,
): ProcessorPorts {
  const doc = documentClient();
  const sfn = sfnClient();
  const links = new DynamoLinkStore(doc, env.TABLE_NAME);
  const publisher = new DomainEventPublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
  const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
  const setAside = new SetAsideStore(doc, env.TABLE_NAME);
  const lake = lakeOf(env);
  const segments = new DeployedSegmentsSource(new DynamoSegmentStore(doc, env.TABLE_NAME), log);
  return {
    // Reading links only (resolving events' profiles): eventually consistent is enough and costs half.
    links: new DynamoLinkStore(doc, env.TABLE_NAME, false),
    identify: (call) => identify(call, links),
    profiles: new ProfileStore<Outbox>(doc, env.TABLE_NAME),
    rankPartition,
    setAside: (record) => setAside.put(record),
    publish: (events) => publisher.publish(events),
    rules: () => rules.current(),
    segments: () => segments.current(),
    memberships: new DynamoMembershipStore(doc, env.TABLE_NAME),
    // Scenario executions waiting for an event of this person (only called when the profile waits).
    resumeWaits: (profileId, eventName, event) =>
      resumeWaits({ doc, sfn, tableName: env.TABLE_NAME }, profileId, eventName, event as unknown as Record<string, unknown>),
    ...(lake ? { lake } : {}),
    now: () => new Date(),
    log,
  };
}
