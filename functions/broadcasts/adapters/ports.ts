/** The broadcast functions' ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { DynamoSegmentStore } from '../../segments/adapters/definition-store.js';
import { DynamoMembershipStore } from '../../segments/adapters/membership-store.js';
import { memberShards } from '../../segments/domain/membership.js';
import { DynamoSendingStore } from '../../sending/adapters/dynamo-sending-store.js';
import { linkEnv, sendingConfigFromEnv } from '../../sending/adapters/env.js';
import { loadLinkSecret } from '../../sending/adapters/link-secret.js';
import { mailRecommendationsFromEnv } from '../../sending/adapters/recommendations.js';
import { S3TemplateStore } from '../../sending/adapters/s3-templates.js';
import { SesMailer } from '../../sending/adapters/ses-mailer.js';
import { send, type SendPorts } from '../../sending/domain/send.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { s3Client } from '../../shared/aws/s3.js';
import { sesClient } from '../../shared/aws/sesv2.js';
import { sfnClient } from '../../shared/aws/sfn.js';
import { parseEnv, required } from '../../shared/env.js';
import { isTimeZone } from '../../shared/zoned-time.js';
import type { BroadcastAdminPorts } from '../domain/admin.js';
import type { BroadcastPagePorts } from '../domain/page.js';
import { DynamoBroadcastStore } from './broadcast-store.js';
import { SfnExecutionStarter } from './starter.js';

/** SES sends per second when SES_RATE_PER_SECOND is not set (SES's default rate out of the sandbox). */
export const defaultSesRatePerSecond = 14;

const rate = z.optional(z.pipe(z.string(), z.transform(Number)).check(z.refine((n: number) => Number.isFinite(n) && n > 0, 'a positive number of sends per second')));

function baseEnv() {
  return parseEnv(z.object({ TABLE_NAME: required(), BROADCAST_STATE_MACHINE_ARN: required(), SES_RATE_PER_SECOND: rate }));
}

/** The page task's ports: the same send use case and adapters the send function builds. */
export async function pagePortsFromEnv(): Promise<BroadcastPagePorts> {
  const concurrency = z.optional(z.pipe(z.string().check(z.regex(/^([1-9]|[12]\d|3[0-2])$/, '1 to 32')), z.transform(Number)));
  const env = { ...baseEnv(), ...parseEnv(z.object({ CONTENT_BUCKET: required(), BROADCAST_SEND_CONCURRENCY: concurrency })) };
  const doc = documentClient();
  const sendPorts: SendPorts = {
    config: sendingConfigFromEnv(),
    store: new DynamoSendingStore(doc, env.TABLE_NAME),
    templates: new S3TemplateStore(s3Client(), env.CONTENT_BUCKET),
    mailer: new SesMailer(sesClient()),
    linkSecret: await loadLinkSecret(linkEnv()),
    recommendations: mailRecommendationsFromEnv(doc, env.TABLE_NAME),
  };
  return {
    store: new DynamoBroadcastStore(doc, env.TABLE_NAME),
    members: new DynamoMembershipStore(doc, env.TABLE_NAME),
    send: (input) => send(input, sendPorts),
    starter: new SfnExecutionStarter(sfnClient(), env.BROADCAST_STATE_MACHINE_ARN, memberShards),
    shards: memberShards,
    ...(env.BROADCAST_SEND_CONCURRENCY ? { sendConcurrency: env.BROADCAST_SEND_CONCURRENCY } : {}),
    now: () => new Date(),
  };
}

export function adminPortsFromEnv(): BroadcastAdminPorts {
  const env = { ...baseEnv(), ...parseEnv(z.object({ DEFAULT_TIME_ZONE: z.optional(z.string().check(z.refine(isTimeZone, 'an IANA time zone'))) })) };
  const doc = documentClient();
  const segments = new DynamoSegmentStore(doc, env.TABLE_NAME);
  const membership = new DynamoMembershipStore(doc, env.TABLE_NAME);
  return {
    store: new DynamoBroadcastStore(doc, env.TABLE_NAME),
    segments: { exists: async (id) => (await segments.get(id)) !== undefined, count: (id) => membership.count(id) },
    starter: new SfnExecutionStarter(sfnClient(), env.BROADCAST_STATE_MACHINE_ARN, memberShards),
    ratePerSecond: env.SES_RATE_PER_SECOND ?? defaultSesRatePerSecond,
    defaultTimeZone: env.DEFAULT_TIME_ZONE ?? 'UTC',
    now: () => new Date(),
  };
}
