/**
 * The ports of the public forms function, wired once at cold start: forms from the content bucket,
 * submissions, rate limit and consent in the main table, identity links as collect writes them, the
 * events stream, and the link secret the render tokens are signed with.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DynamoLinkStore, linkPk } from '../../identity/adapters/dynamo-link-store.js';
import { identify } from '../../identity/domain/identify.js';
import { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import { followMerges } from '../../profiles/domain/merge-chain.js';
import { profilePk, profileSk } from '../../profiles/domain/profile.js';
import { loadLinkSecret } from '../../sending/adapters/link-secret.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { kinesisClient } from '../../shared/aws/kinesis.js';
import { s3Client } from '../../shared/aws/s3.js';
import { commaList, parseEnv, required } from '../../shared/env.js';
import { MetricUnit, type Observed } from '../../shared/observability.js';
import type { FormsPorts } from '../domain/submit.js';
import { DynamoConsentStore } from './consent-store.js';
import { DynamoRateLimiter } from './rate-limiter.js';
import { S3FormsContent } from './s3-content.js';
import { DynamoSubmissionStore } from './submission-store.js';

/** The public forms function's environment, parsed once; fails naming each bad variable. */
export function formsEnv(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(
    z.object({
      TABLE_NAME: required(),
      EVENTS_STREAM_NAME: required(),
      CONTENT_BUCKET: required(),
      ALLOWED_ORIGINS: commaList(),
      PUBLIC_API_URL: z.url(),
      LINK_SECRET: z.optional(z.string().check(z.minLength(32))),
      LINK_SECRET_ARN: z.optional(z.string()),
    }),
    env,
  );
}
export type FormsEnv = ReturnType<typeof formsEnv>;

/**
 * Browser origins allowed to call: the sites', and the API's own (landing pages `/p/<slug>` are served
 * there, and a browser sends their origin with a form post).
 */
export const formsOrigins = (env: Pick<FormsEnv, 'ALLOWED_ORIGINS' | 'PUBLIC_API_URL'>) => [...env.ALLOWED_ORIGINS, new URL(env.PUBLIC_API_URL).origin];

/** Every port of the submission routes (another function's routes may share them at merge). */
export async function submitPorts(env: FormsEnv, observed: Pick<Observed<'forms'>, 'metrics'>): Promise<FormsPorts> {
  const doc = documentClient();
  const table = env.TABLE_NAME;
  const links = new DynamoLinkStore(doc, table);
  const consents = new DynamoConsentStore(doc, table);
  const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);
  const readProfile = async (id: string) =>
    (await doc.send(new GetCommand({ TableName: table, Key: { pk: profilePk(id), sk: profileSk }, ProjectionExpression: 'traits, mergedInto' }))).Item as
      | { traits?: Record<string, unknown>; mergedInto?: string }
      | undefined;
  return {
    apiBase: env.PUBLIC_API_URL.replace(/\/+$/, ''),
    secret: await loadLinkSecret(env),
    forms: new S3FormsContent(s3Client(), env.CONTENT_BUCKET),
    store: new DynamoSubmissionStore(doc, table),
    rateLimiter: new DynamoRateLimiter(doc, table),
    identify: (call) => identify(call, links),
    async linkedProfile(anonymousId) {
      const res = await doc.send(new GetCommand({ TableName: table, Key: { pk: linkPk({ kind: 'anon', value: anonymousId }), sk: 'link' } }));
      return res.Item?.profileId as string | undefined;
    },
    async traitsOf(profileId) {
      return (await followMerges(profileId, readProfile))?.item.traits ?? undefined;
    },
    putEvents: (events) => sink.put(events),
    consents,
    count(metric) {
      observed.metrics.addMetric(metric === 'submitted' ? 'FormsSubmitted' : `FormsRefused_${metric}`, MetricUnit.Count, 1);
    },
    now: () => new Date(),
  };
}
