import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirehoseLake, lakeStreamEnv } from '../../../functions/analytics/adapters/firehose-lake.js';
import { eventRow } from '../../../functions/analytics/domain/lake-rows.js';
import { DynamoLinkStore } from '../../../functions/identity/adapters/dynamo-link-store.js';
import { identify } from '../../../functions/identity/domain/identify.js';
import { anonymousProfileId, keyString } from '../../../functions/identity/domain/keys.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { ingest, type IngestRequest } from '../../../functions/ingest/domain/ingest.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { LocalFirehose } from '../../../local/emulators/firehose.js';
import { evaluate, type Statement } from '../../../local/iam/evaluate.js';
import { runAs } from '../../../local/iam/index.js';
import type { PolicySet } from '../../../local/iam/policies.js';
import { localDeliveryStreams } from '../../../local/runtime/plugins/analytics.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

/**
 * The lake end to end: messages through collect's use case, the real stream processor (its Firehose client
 * from the environment, as in Lambda) running as its role through the IAM check, the local Firehose
 * writing Parquet, read back with DuckDB.
 */

const streamArn = (name: string) => `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`;
const lakeArns = Object.values(localDeliveryStreams).map(streamArn);
const writeKey = 'lake_site_key';
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let lakeDir: string;
let firehose: LocalFirehose;
let firehoseUrl: string;
let bus: LocalEventBus;
let aws: TestAws;
let synthesized: PolicySet;
let handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
let seq = 1;

const mayPut = (set: PolicySet) => lakeArns.every((resource) => evaluate(set.principals.process?.statements ?? [], { action: 'firehose:PutRecordBatch', resource }).allowed);

/** The processor's policy with the grant infra/analytics.ts gives it (firehose:PutRecordBatch on both streams). */
function withLakeGrant(set: PolicySet): PolicySet {
  const p = set.principals.process!;
  const grant: Statement = { Effect: 'Allow', Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: lakeArns };
  return { principals: { ...set.principals, process: { ...p, statements: [...p.statements, grant] } } };
}

/** The processor's policy without any Firehose grant. */
function withoutLakeGrant(set: PolicySet): PolicySet {
  const strip = (s: Statement): Statement | undefined => {
    const actions = ([] as string[]).concat(s.Action ?? []);
    if (!actions.some((a) => a.startsWith('firehose:'))) return s;
    const rest = actions.filter((a) => !a.startsWith('firehose:'));
    return rest.length > 0 ? { ...s, Action: rest } : undefined;
  };
  const p = set.principals.process!;
  return { principals: { ...set.principals, process: { ...p, statements: p.statements.map(strip).filter((s): s is Statement => Boolean(s)) } } };
}

beforeAll(async () => {
  lakeDir = mkdtempSync(join(tmpdir(), 'nurture-lake-'));
  // A long buffer: each test flushes when it reads.
  firehose = new LocalFirehose({ lakeDir, streams: { [localDeliveryStreams.events]: 'events', [localDeliveryStreams.identity]: 'identity' }, bufferSeconds: 3600 });
  bus = new LocalEventBus();
  const env = {
    AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0),
    EVENT_BUS_NAME: 'test-bus',
    AWS_ENDPOINT_URL_FIREHOSE: (firehoseUrl = await firehose.listen(0)),
    [lakeStreamEnv.events]: localDeliveryStreams.events,
    [lakeStreamEnv.identity]: localDeliveryStreams.identity,
  };
  aws = await startTestAws(env);
  synthesized = aws.iam.policies!;
  // Until infra/analytics.ts grants the processor its delivery streams, the synthesized policy refuses
  // them (the last test shows it): run the rest with the grant that infra adds.
  if (!mayPut(synthesized)) {
    await aws.stop();
    aws = await startTestAws(env, { policies: withLakeGrant(synthesized) });
  }
  await putRules(aws, 'version: 1\nstages: { mql: 15, sql: 50 }\nrules:\n  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }\n');
  handler = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: typeof handler }).handler);
});
afterAll(async () => {
  await aws?.stop();
  await bus?.close();
  await firehose?.close();
  if (lakeDir) rmSync(lakeDir, { recursive: true, force: true });
});

/** Messages through collect's use case (validation, enrichment, identify with its merges), as the stream carries them. */
async function collect(kind: IngestRequest['kind'], message: Record<string, unknown>): Promise<CollectedEvent[]> {
  const links = new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!);
  const events: CollectedEvent[] = [];
  const body = JSON.stringify(message);
  await ingest(
    { kind, body, bodyBytes: Buffer.byteLength(body), authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, receivedAt: new Date() },
    { putEvents: async (batch) => void events.push(...batch), identify: (call) => identify(call, links), writeKeys: new Set([writeKey]) },
  );
  return events;
}

/** One Kinesis batch through the stream processor; `again` delivers the previous batch a second time. */
async function processEvents(events: CollectedEvent[], again = false): Promise<KinesisStreamBatchResponse> {
  if (again) seq -= events.length;
  const res = await handler(kinesisBatch(events, { firstSeq: seq }), ctx);
  seq += events.length;
  return res;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  await firehose.flush();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
// `dt` is a string in the contract; DuckDB would otherwise read the partition value as a DATE.
const table = (name: string) => `read_parquet('${lakeDir}/${name}/*/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR})`;

describe('the event lake, written by the stream processor', () => {
  it('holds every human event with the profile the processor resolved it to, and no bot', async () => {
    const events = [
      ...(await collect('page', { anonymousId: 'lake-v1', name: 'Pricing', context: { page: { path: '/pricing', referrer: 'https://www.news.example/x', url: 'https://acme.example/pricing?utm_source=news' } } })),
      ...(await collect('track', { userId: 'lake-u1', event: 'Order Completed', properties: { revenue: 120 } })),
      ...(await collect('page', { anonymousId: 'lake-bot', context: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)', page: { path: '/pricing' } } })),
    ];
    expect(await processEvents(events)).toEqual({ batchItemFailures: [] });

    const rows = await query(`SELECT message_id, profile_id, type, path, referrer_domain, utm_source, revenue, dt FROM ${table('events')} WHERE message_id IN (${events.map((e) => `'${e.messageId}'`).join(', ')}) ORDER BY ts`);
    const user = { kind: 'user', value: 'lake-u1' } as const;
    const userProfile = (await new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!).get([user])).get(keyString(user))?.profileId;
    expect(userProfile).toBeDefined();
    expect(rows).toEqual([
      { message_id: events[0]!.messageId, profile_id: anonymousProfileId('lake-v1'), type: 'page', path: '/pricing', referrer_domain: 'news.example', utm_source: 'news', revenue: null, dt: events[0]!.timestamp.slice(0, 10) },
      { message_id: events[1]!.messageId, profile_id: userProfile, type: 'track', path: null, referrer_domain: null, utm_source: null, revenue: 120, dt: events[1]!.timestamp.slice(0, 10) },
    ]);
  });

  it('loses no row when Kinesis delivers a batch again (rows may repeat; distinct message ids are the same)', async () => {
    const events = [
      ...(await collect('page', { anonymousId: 'lake-v2', context: { page: { path: '/a' } } })),
      ...(await collect('page', { anonymousId: 'lake-v2', context: { page: { path: '/pricing' } } })),
      ...(await collect('track', { anonymousId: 'lake-v2', event: 'Page Ping', properties: { seconds: 15, path: '/pricing' } })),
    ];
    await processEvents(events);
    expect(await processEvents(events, true)).toEqual({ batchItemFailures: [] });

    const [counts] = await query(`SELECT count(*)::INTEGER AS n, count(DISTINCT message_id)::INTEGER AS ids, sum(seconds) FILTER (WHERE event = 'Page Ping') / count(*) FILTER (WHERE event = 'Page Ping') AS seconds FROM ${table('events')} WHERE anonymous_id = 'lake-v2'`);
    expect(counts!.ids).toBe(3);
    expect(Number(counts!.n)).toBeGreaterThanOrEqual(3);
    expect(counts!.seconds).toBe(15);
  });

  it('records the merge of an anonymous profile into the person who identified, so its history counts as theirs', async () => {
    // The person first seen on another device, identified there.
    await processEvents(await collect('identify', { anonymousId: 'lake-phone', userId: 'lake-ann', traits: { email: 'ann@lake.example' } }));
    // Anonymous browsing on the laptop, then the identify that shows it is the same person.
    await processEvents(await collect('page', { anonymousId: 'lake-laptop', context: { page: { path: '/pricing' } } }));
    const [who] = await collect('identify', { anonymousId: 'lake-laptop', userId: 'lake-ann', traits: { email: 'ann@lake.example' } });
    expect(who!.nurture.mergeFrom).toEqual([anonymousProfileId('lake-laptop')]);
    expect(await processEvents([who!])).toEqual({ batchItemFailures: [] });

    const merges = await query(`SELECT kind, from_id, to_id, message_id, dt FROM ${table('identity')} WHERE message_id = '${who!.messageId}'`);
    expect(merges).toEqual([{ kind: 'merge', from_id: anonymousProfileId('lake-laptop'), to_id: who!.nurture.profileId, message_id: who!.messageId, dt: who!.timestamp.slice(0, 10) }]);
    // What reports do with it: the laptop's page view belongs to Ann.
    const [ann] = await query(
      `SELECT count(DISTINCT e.message_id)::INTEGER AS views FROM ${table('events')} e LEFT JOIN ${table('identity')} i ON i.from_id = e.profile_id ` +
        `WHERE coalesce(i.to_id, e.profile_id) = '${who!.nurture.profileId}' AND e.type = 'page'`,
    );
    expect(ann!.views).toBe(1);
    // Traits (the email) never reach the lake.
    expect(await query(`SELECT message_id FROM ${table('events')} WHERE properties LIKE '%ann@lake.example%'`)).toEqual([]);
  });

  it('is refused with AccessDenied for a processor role without the Firehose grant', async () => {
    const lakeEnv = { AWS_ENDPOINT_URL_FIREHOSE: firehoseUrl, [lakeStreamEnv.events]: localDeliveryStreams.events, [lakeStreamEnv.identity]: localDeliveryStreams.identity };
    const old = await startTestAws(lakeEnv, { policies: withoutLakeGrant(synthesized) });
    const client = new FirehoseClient({ endpoint: old.env.AWS_ENDPOINT_URL_FIREHOSE });
    try {
      const lake = new FirehoseLake(client, { events: localDeliveryStreams.events, identity: localDeliveryStreams.identity });
      const row = eventRow((await collect('page', { anonymousId: 'lake-denied', context: { page: { path: '/' } } }))[0]!, 'p');
      const err = (await runAs('process', () => lake.events([row])).catch((e: unknown) => e)) as Error;
      expect(err.name).toBe('AccessDeniedException');
      expect(err.message).toContain(`is not authorized to perform: firehose:PutRecordBatch on resource: ${streamArn(localDeliveryStreams.events)}`);
      expect(old.iam.denials.map((d) => `${d.principal} ${d.action}`)).toContain('process firehose:PutRecordBatch');
      expect(await query(`SELECT count(*)::INTEGER AS n FROM ${table('events')} WHERE anonymous_id = 'lake-denied'`)).toEqual([{ n: 0 }]);
    } finally {
      client.destroy();
      await old.stop();
      // The second set of emulators pointed process.env at itself: point it back.
      Object.assign(process.env, aws.env);
    }
  });
});
