import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../../functions/identity/adapters/dynamo-link-store.js';
import { identify } from '../../../functions/identity/domain/identify.js';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { ProfileStore } from '../../../functions/profiles/adapters/profile-store.js';
import { rankPartition } from '../../../functions/profiles/domain/profile.js';
import { DomainEventPublisher } from '../../../functions/scoring/adapters/publisher.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { type Outbox, processBatch, type ProcessorPorts, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { collected, pageView, track } from '../../helpers/events.js';
import { kinesisBatch, seqOf } from '../../helpers/kinesis-event.js';
import { putRules } from '../../helpers/public-path.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const rulesYaml = `
version: 1
halfLifeDays: 30
stages: { mql: 15, sql: 50 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: product, match: { type: page, path: /products/** }, points: 2 }
  - { id: contact, match: { event: Form Submitted }, points: 15 }
`;

let aws: TestAws;
let bus: LocalEventBus;
let handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let run = 0;

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl, EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rulesYaml);
  handler = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: typeof handler }).handler);
});
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});
beforeEach(() => {
  run++;
});

const profile = async (id: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item;
const eventsOf = (pid: string) => bus.history.filter((e) => e.detail.profileId === pid);
const visitor = (name: string) => `${name}-${run}`;
const now = () => new Date().toISOString();

/** What a stored profile looks like without bookkeeping that differs between equal outcomes. */
const essence = (item: Record<string, unknown> | undefined) => {
  const { v: _v, updatedAt: _u, outbox: _o, ...rest } = item ?? {};
  return rest;
};

describe('stream processor: exactly-once effects', () => {
  it('leaves the same state and publishes once when the same batch is delivered three times', async () => {
    const anon = visitor('v');
    const events = [
      pageView('/pricing', now(), { anonymousId: anon }),
      collected({ type: 'identify', at: now(), anonymousId: anon, traits: { email: `${anon}@firm.com` } }),
      track('Form Submitted', { formId: 'contact' }, now(), { anonymousId: anon }),
    ];
    // Collect resolves identify synchronously; do what it does.
    const links = new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!);
    const res = await identify({ anonymousId: anon, email: `${anon}@firm.com`, at: events[1]!.timestamp }, links);
    events[1]!.nurture.profileId = res!.profileId;

    const batch = kinesisBatch(events);
    expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
    await bus.drain();
    const once = await profile(anonymousProfileId(anon));
    const published = eventsOf(anonymousProfileId(anon)).length;
    await handler(batch, ctx);
    await handler(batch, ctx);
    await bus.drain();
    expect(essence(await profile(anonymousProfileId(anon)))).toEqual(essence(once));
    expect(eventsOf(anonymousProfileId(anon))).toHaveLength(published);
    expect(once?.stage).toBe('mql');
    expect(eventsOf(anonymousProfileId(anon)).map((e) => e['detail-type'])).toEqual([
      'lead.identified',
      'Form Submitted',
      'lead.stage_changed',
      'lead.stage_changed',
    ]);
  });

  it('counts a messageId once even when it comes again in a later batch', async () => {
    const anon = visitor('dup');
    const e = pageView('/pricing', now(), { anonymousId: anon, messageId: `dup-${run}` });
    await handler(kinesisBatch([e], { firstSeq: 1 }), ctx);
    await handler(kinesisBatch([{ ...e }, pageView('/products/a', now(), { anonymousId: anon })], { firstSeq: 2 }), ctx);
    const p = await profile(anonymousProfileId(anon));
    expect(p?.score.value).toBeCloseTo(5 + 2, 3);
  });

  it('finishes a batch interrupted by a crash, without counting anything twice', async () => {
    const a = visitor('crash-a');
    const b = visitor('crash-b');
    const records: StreamEvent[] = [
      pageView('/pricing', now(), { anonymousId: a }),
      pageView('/pricing', now(), { anonymousId: b }),
      track('Form Submitted', {}, now(), { anonymousId: a }),
    ].map((event, i) => ({ event, seq: seqOf(100 + i), shard: 'shardId-000000000001' }));

    const store = new ProfileStore<Outbox>(aws.doc, aws.env.TABLE_NAME!);
    const publisher = new DomainEventPublisher(new EventBridgeClient({}), 'test-bus');
    const rules = parseRules(rulesYaml);
    let crashB = true;
    let crashPublish = true;
    const ports: ProcessorPorts = {
      links: new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!),
      identify: () => Promise.resolve(undefined),
      profiles: {
        load: (ids) => store.load(ids),
        tombstone: (m, s) => store.tombstone(m, s),
        clearOutbox: (id, v) => store.clearOutbox(id, v),
        save: async (stored, next, opts) => {
          if (next.profileId === anonymousProfileId(b) && crashB) {
            crashB = false;
            throw new Error('Lambda timed out');
          }
          return store.save(stored, next, opts);
        },
      },
      rankPartition,
      setAside: async () => {
        throw new Error('nothing in this batch should be set aside');
      },
      publish: async (events) => {
        if (crashPublish && events.some((e) => e.detail.profileId === anonymousProfileId(a))) {
          crashPublish = false;
          throw new Error('crashed after storing, before publishing');
        }
        await publisher.publish(events);
      },
      rules: async () => rules,
      now: () => new Date(),
    };
    const first = await processBatch(records, ports);
    expect(first.failed.length).toBe(2);
    const retry = await processBatch(records, ports);
    expect(retry.failed).toEqual([]);
    await processBatch(records, ports);
    await bus.drain();
    expect((await profile(anonymousProfileId(a)))?.score.value).toBeCloseTo(20, 3);
    expect((await profile(anonymousProfileId(b)))?.score.value).toBeCloseTo(5, 3);
    expect(eventsOf(anonymousProfileId(a)).filter((e) => e['detail-type'] === 'Form Submitted')).toHaveLength(1);
  });

  it('loses no update when two shards update one profile at the same time', async () => {
    const user = visitor('user');
    const links = new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!);
    const { profileId } = (await identify({ anonymousId: visitor('laptop'), userId: user, at: new Date().toISOString() }, links))!;
    await identify({ anonymousId: visitor('phone'), userId: user, at: new Date().toISOString() }, links);
    // Lambda processes one shard's batches in order; the two shards run at the same time.
    const shardRun = async (shard: number) => {
      for (let i = 0; i < 4; i++) {
        const batch = kinesisBatch([pageView('/products/x', now(), { anonymousId: shard ? visitor('laptop') : visitor('phone') })], {
          shard: `shardId-00000000000${shard}`,
          firstSeq: 1000 + i,
        });
        // A reported failure is retried, as the event source mapping would.
        for (let attempt = 0; attempt < 5; attempt++) if ((await handler(batch, ctx)).batchItemFailures.length === 0) break;
      }
    };
    await Promise.all([shardRun(0), shardRun(1)]);
    expect((await profile(profileId))?.score.value).toBeCloseTo(16, 2);
  });

  it('merges an anonymous device into the known profile exactly once, and keeps resolving the merged id', async () => {
    const user = visitor('merge-user');
    const laptop = visitor('m-laptop');
    const phone = visitor('m-phone');
    const links = new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!);
    await handler(kinesisBatch([pageView('/pricing', now(), { anonymousId: phone })], { firstSeq: 2000 }), ctx);
    const known = await identify({ anonymousId: laptop, userId: user, at: new Date().toISOString() }, links);
    await handler(kinesisBatch([collected({ type: 'identify', anonymousId: laptop, userId: user, nurture: { v: 1, bot: false, profileId: known!.profileId } })], { firstSeq: 2001 }), ctx);
    const res = await identify({ anonymousId: phone, userId: user, at: new Date().toISOString() }, links);
    expect(res?.mergeFrom).toEqual([anonymousProfileId(phone)]);
    const merge = kinesisBatch(
      [collected({ type: 'identify', anonymousId: phone, userId: user, nurture: { v: 1, bot: false, profileId: res!.profileId, mergeFrom: res!.mergeFrom } })],
      { firstSeq: 2002, shard: 'shardId-000000000001' },
    );
    await handler(merge, ctx);
    await handler(merge, ctx);
    const survivor = await profile(known!.profileId);
    expect(survivor?.score.value).toBeCloseTo(5, 3);
    expect(survivor?.merged).toEqual([anonymousProfileId(phone)]);
    expect((await profile(anonymousProfileId(phone)))?.mergedInto).toBe(known!.profileId);
    await bus.drain();
    expect(eventsOf(known!.profileId).filter((e) => e['detail-type'] === 'lead.merged')).toHaveLength(1);
    // A late event keyed to the merged profile lands on the survivor.
    await handler(kinesisBatch([pageView('/products/late', now(), { anonymousId: `none-${run}`, nurture: { v: 1, bot: false, profileId: anonymousProfileId(phone) } })], { firstSeq: 2003 }), ctx);
    expect((await profile(known!.profileId))?.score.value).toBeCloseTo(7, 3);
  });

  it('never lets bots score or create profiles, and skips undecodable records', async () => {
    const anon = visitor('bot');
    const batch = kinesisBatch([pageView('/pricing', now(), { anonymousId: anon, nurture: { v: 1, bot: true } })], { firstSeq: 3000 });
    batch.Records.push({ ...batch.Records[0]!, kinesis: { ...batch.Records[0]!.kinesis, sequenceNumber: seqOf(3001), data: Buffer.from('{not json').toString('base64') } });
    expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
    expect(await profile(anonymousProfileId(anon))).toBeUndefined();
  });

  it('writes about one DynamoDB request per event on a batch of many visitors', async () => {
    const scan = async () => (await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Count ?? 0;
    const before = await scan();
    const events = Array.from({ length: 100 }, (_, i) => pageView(i % 3 ? '/products/a' : '/pricing', now(), { anonymousId: `${visitor('many')}-${i % 40}` }));
    await handler(kinesisBatch(events, { firstSeq: 4000 }), ctx);
    // 40 visitors → 40 profile items, one update each.
    expect((await scan()) - before).toBe(40);
  });
});
