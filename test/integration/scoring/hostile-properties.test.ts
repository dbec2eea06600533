/**
 * Hostile traffic through the stream processor, as fast-check generates it: events whose properties or
 * traits are arbitrary JSON (keys such as `constructor`, `__proto__`, `toString`, numbers beyond 2^53 or
 * DynamoDB's range, deep nesting, unicode keys) mixed with normal events, against local DynamoDB with
 * the processor's IAM role. Every event is applied to its profile or set aside alone with its error, no
 * other event is lost, a redelivered batch changes nothing, and nothing pollutes a prototype.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { limits } from '../../../functions/ingest/domain/limits.js';
import { idKey } from '../../../functions/profiles/domain/profile.js';
import { SetAsideStore, setAsideSk } from '../../../functions/scoring/adapters/set-aside-store.js';
import { documentClient } from '../../../functions/shared/aws/dynamodb.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { collected, pageView, track } from '../../helpers/events.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { putRules } from '../../helpers/public-path.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

// Rules that read the very keys the generator fills with hostile values.
const rulesYaml = `
version: 1
halfLifeDays: 30
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: order, match: { event: Order Completed }, points: 10 }
  - { id: pro-plan, match: { event: Order Completed, properties: { plan: { contains: pro } } }, points: 3 }
  - { id: big-order, match: { event: Order Completed, properties: { total: { gte: 100 } } }, points: 4 }
  - { id: glob-ref, match: { type: page, properties: { ref: { glob: "ad-*" } } }, points: 1 }
  - { id: nested, match: { type: track, properties: { a.b: { exists: true } } }, points: 1 }
  - { id: acme, kind: fit, traits: { company: { contains: acme } }, points: 7 }
  - { id: mail, kind: fit, traits: { email: { domain: acme.com } }, points: 2 }
`;

/** Property runs: each is one batch and its redelivery against local DynamoDB (~0.3 s each on 2 busy cores). */
const numRuns = 30;
/** Largest batch generated (the deployed processor takes 100; a few profiles with several events each matter more). */
const maxEventsPerBatch = 12;

const reservedKeys = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'toJSON', 'prototype', 'isPrototypeOf'];
const ruleKeys = ['plan', 'total', 'ref', 'a', 'b', 'company', 'email', 'name', 'polluted', ''];
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...reservedKeys, ...ruleKeys) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  // Beyond 2^53, beyond DynamoDB's range (1e-130 .. 1e126), subnormal, negative zero.
  fc.constantFrom(2 ** 53 + 2, 123456789012345678901234, -9007199254740993, 1e300, -1e300, 1e126, 1e-200, 5e-324, Number.MAX_VALUE, -0),
);
const leaf = fc.oneof(number, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.boolean(), fc.constant(null), fc.constantFrom('pro', 'ad-x', 'ACME Inc', 'x@acme.com'));
const { json } = fc.letrec<{ json: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('json'), { maxKeys: 5 }),
}));
/** Nesting far deeper than DynamoDB's 32 levels, still within collect's 32 KB. */
const deep = fc.tuple(fc.integer({ min: 20, max: 200 }), key, json).map(([depth, k, inner]) => {
  let v: unknown = inner;
  for (let i = 0; i < depth; i++) v = { [k]: v };
  return v;
});
const payload = fc.dictionary(key, fc.oneof({ weight: 4, arbitrary: json }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: fc.constant({ polluted: 'yes' }) }), {
  minKeys: 1,
  maxKeys: 6,
});

interface Spec {
  visitor: number;
  kind: 'page' | 'track' | 'identify';
  hostile?: Record<string, unknown>;
}
const spec: fc.Arbitrary<Spec> = fc.record(
  { visitor: fc.integer({ min: 0, max: 3 }), kind: fc.constantFrom('page', 'track', 'identify'), hostile: payload },
  { requiredKeys: ['visitor', 'kind'] },
);

let aws: TestAws;
let bus: LocalEventBus;
let handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const doc = () => documentClient();

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl, EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rulesYaml);
  handler = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: typeof handler }).handler);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

/** The event a spec describes, as it reaches the processor (JSON through the stream). */
function eventOf(s: Spec, anonymousId: string): CollectedEvent {
  const at = new Date().toISOString();
  const e =
    s.kind === 'page'
      ? pageView('/pricing', at, { anonymousId, properties: s.hostile ?? { ref: 'ad-1' } })
      : s.kind === 'track'
        ? track('Order Completed', s.hostile ?? { plan: 'pro', total: 120 }, at, { anonymousId })
        : collected({ type: 'identify', at, anonymousId, traits: s.hostile ?? { company: 'Acme', name: 'Ann Lee' } });
  return JSON.parse(JSON.stringify(e)) as CollectedEvent;
}

const itemOf = async (pk: string, sk: string) => (await doc().send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk, sk } }))).Item;
/** A stored profile without the bookkeeping that differs between equal outcomes. */
const essence = (item: Record<string, unknown> | undefined) => {
  const { v: _v, updatedAt: _u, outbox: _o, ...rest } = item ?? {};
  return rest;
};
const recordEssence = (item: Record<string, unknown> | undefined) => {
  const { setAsideAt: _s, expiresAt: _e, gsi1sk: _g, ...rest } = item ?? {};
  return rest;
};

let run = 0;

describe('stream processor under hostile properties and traits', () => {
  it('applies every event or sets it aside alone, loses no other, and a redelivery changes nothing', async () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const setAside = new SetAsideStore(doc(), aws.env.TABLE_NAME!);
    let hostileSeen = 0;
    let setAsideSeen = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: maxEventsPerBatch }), async (specs) => {
        run++;
        const events = specs
          .map((s) => ({ s, e: eventOf(s, `hostile-${run}-${s.visitor}`) }))
          .filter(({ e }) => Buffer.byteLength(JSON.stringify(e)) <= limits.messageBytes);
        const batch = kinesisBatch(
          events.map(({ e }) => e),
          { firstSeq: run * 100 },
        );

        // Act: the batch as Lambda delivers it.
        expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });

        // Assess: each event is on its profile, or set aside with its error; never both, never neither.
        const pids = [...new Set(events.map(({ e }) => anonymousProfileId(e.anonymousId!)))];
        const profiles = new Map(await Promise.all(pids.map(async (pid) => [pid, await itemOf(`p#${pid}`, 'profile')] as const)));
        const records = new Map<string, Record<string, unknown> | undefined>();
        for (const { s, e } of events) {
          const pid = anonymousProfileId(e.anonymousId!);
          const applied = ((profiles.get(pid)?.recentIds as string[] | undefined) ?? []).includes(idKey(e.messageId));
          const record = await itemOf(`p#${pid}`, setAsideSk(e));
          records.set(e.messageId, record);
          if (s.hostile) hostileSeen++;
          if (!s.hostile) expect(applied, `normal event ${e.messageId} applied`).toBe(true);
          expect(applied !== (record !== undefined), `${e.messageId}: applied (${applied}) or set aside (${record !== undefined}), exactly one`).toBe(true);
          if (record) {
            setAsideSeen++;
            expect(record.error).toMatch(/\w+: /);
            expect(JSON.parse(String(record.event))).toEqual(e);
          }
        }
        // Set aside alone: the list holds exactly the events not applied, each once.
        const listed = (await setAside.list(1000)).map((r) => r.messageId).filter((id) => records.has(id));
        expect(listed.sort()).toEqual([...records].filter(([, r]) => r).map(([id]) => id).sort());

        // Redelivery (a retry, or the next batch starting over): nothing changes, nothing more is set aside.
        expect(await handler(batch, ctx)).toEqual({ batchItemFailures: [] });
        for (const pid of pids) expect(essence(await itemOf(`p#${pid}`, 'profile'))).toEqual(essence(profiles.get(pid)));
        for (const { e } of events) {
          expect(recordEssence(await itemOf(`p#${anonymousProfileId(e.anonymousId!)}`, setAsideSk(e)))).toEqual(recordEssence(records.get(e.messageId)));
        }

        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      }),
      { numRuns, endOnFailure: false, interruptAfterTimeLimit: 120_000 },
    );
    console.log(`hostile events: ${hostileSeen}, set aside: ${setAsideSeen}`);
    expect(hostileSeen).toBeGreaterThan(numRuns);
  }, 300_000);
});
