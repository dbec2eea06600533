import { describe, expect, it } from 'vitest';
import type { EventRow, IdentityRow } from '../../../functions/analytics/domain/lake.js';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { batchItemFailures, processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { collected, pageView, track } from '../../helpers/events.js';
import { seqOf } from '../../helpers/kinesis-event.js';
import { memoryProcessorPorts } from '../../helpers/memory-ports.js';

const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: demo, match: { event: Demo Booked }, points: 50 }
`);
const shard = 'shardId-000000000000';
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 10, 0, i)).toISOString();
const stream = (events: ReturnType<typeof collected>[], first = 1): StreamEvent[] => events.map((event, i) => ({ event, seq: seqOf(first + i), shard }));

/** Processor ports with a lake in memory; `failEvents`/`failIdentity` make the next n writes fail. */
function withLake() {
  const memory = memoryProcessorPorts(rules);
  const lake = { events: [] as EventRow[], identity: [] as IdentityRow[], eventCalls: 0, failEvents: 0, failIdentity: 0 };
  memory.ports.lake = {
    events: async (rows) => {
      lake.eventCalls++;
      if (lake.failEvents-- > 0) throw new Error('Firehose is down');
      lake.events.push(...rows);
    },
    identity: async (rows) => {
      if (lake.failIdentity-- > 0) throw new Error('Firehose is down');
      lake.identity.push(...rows);
    },
  };
  return { ...memory, lake };
}

describe('stream processor: the event lake', () => {
  it('writes every human event once per batch with the profile it was resolved to, and no bot', async () => {
    const { ports, lake } = withLake();
    const bot = pageView('/pricing', at(2), { anonymousId: 'crawler', nurture: { v: 1, bot: true } });
    const events = [pageView('/pricing', at(0), { anonymousId: 'ann' }), track('Signed Up', { plan: 'pro' }, at(1), { anonymousId: 'bob' }), bot];

    const result = await processBatch(stream(events), ports);

    expect(batchItemFailures(result)).toEqual([]);
    expect(lake.eventCalls).toBe(1);
    expect(lake.events.map((r) => [r.message_id, r.profile_id])).toEqual([
      [events[0]!.messageId, anonymousProfileId('ann')],
      [events[1]!.messageId, anonymousProfileId('bob')],
    ]);
  });

  it('fails the batch from its first record when the lake write fails, and the redelivery writes the rows', async () => {
    const { ports, lake, profiles } = withLake();
    const records = stream([pageView('/a', at(0), { anonymousId: 'ann' }), pageView('/pricing', at(1), { anonymousId: 'ann' })], 10);
    lake.failEvents = 1;

    const first = await processBatch(records, ports);
    expect(batchItemFailures(first)).toEqual([{ itemIdentifier: records[0]!.seq }]);
    // The profile update itself went through; the redelivery skips it by its checkpoint.
    expect(profiles.items.get(anonymousProfileId('ann'))!.state.score.value).toBe(5);

    const again = await processBatch(records, ports);
    expect(batchItemFailures(again)).toEqual([]);
    expect(profiles.items.get(anonymousProfileId('ann'))!.state.score.value).toBe(5);
    expect(new Set(lake.events.map((r) => r.message_id)).size).toBe(2);
  });

  it('writes a merge’s identity row where its other effects run, again after a crash before they were done', async () => {
    const { ports, lake, profiles, published } = withLake();
    const anon = anonymousProfileId('ann');
    await processBatch(stream([pageView('/pricing', at(0), { anonymousId: 'ann' })]), ports);
    const known = 'p-known-ann';
    const merge = collected({ type: 'identify', at: at(5), anonymousId: 'ann', traits: { email: 'ann@firm.example' }, nurture: { v: 1, bot: false, profileId: known, mergeFrom: [anon] } });
    lake.failIdentity = 1;

    const crashed = await processBatch(stream([merge], 2), ports);
    // The update is stored with its outbox; nothing of the merge ran past the tombstone.
    expect(batchItemFailures(crashed)).toHaveLength(1);
    expect(lake.identity).toEqual([]);
    expect(profiles.items.get(known)!.outbox?.identity).toHaveLength(1);

    await processBatch(stream([merge], 2), ports);
    expect(lake.identity).toEqual([{ kind: 'merge', from_id: anon, to_id: known, message_id: merge.messageId, ts: Date.parse(at(5)), dt: '2026-06-01' }]);
    expect(published.filter((e) => e.detailType === 'lead.merged')).toHaveLength(1);
    expect(profiles.items.get(known)!.outbox).toBeUndefined();
    // The identify itself is an event row of the survivor, without its traits.
    const row = lake.events.find((r) => r.message_id === merge.messageId)!;
    expect(row).toMatchObject({ profile_id: known, type: 'identify', properties: null });
  });

  it('writes each stage change as a stage row, the same row id again when a crash makes the outbox run twice', async () => {
    const { ports, lake } = withLake();
    const publish = ports.publish;
    let failPublish = 1;
    ports.publish = async (events) => {
      if (failPublish-- > 0) throw new Error('EventBridge is down');
      await publish(events);
    };
    const nurture = { v: 1, bot: false, profileId: 'p-known-cat' } as const;
    const hello = collected({ type: 'identify', at: at(2), anonymousId: 'cat', traits: { email: 'cat@firm.example' }, nurture });
    const demo = track('Demo Booked', {}, at(3), { anonymousId: 'cat', nurture });
    const records = stream([hello, demo], 20);

    const crashed = await processBatch(records, ports);
    expect(batchItemFailures(crashed)).toHaveLength(1);
    await processBatch(records, ports);

    const stages = lake.events.filter((r) => r.type === 'stage');
    const once = [
      [`stage:${demo.messageId}:known:known`, 'anonymous', 'known', Date.parse(at(3))],
      [`stage:${demo.messageId}:mql:mql`, 'known', 'mql', Date.parse(at(3))],
    ];
    expect(stages.map((r) => [r.message_id, r.name, r.event, r.ts])).toEqual([...once, ...once]);
    expect(stages[0]).toMatchObject({ profile_id: 'p-known-cat', dt: '2026-06-01' });
  });
});
