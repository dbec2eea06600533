import { describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { duePartition, duePartitionOf } from '../../../functions/profiles/domain/profile.js';
import { sweepLifecycle } from '../../../functions/scoring/domain/lifecycle-sweep.js';
import { processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import type { DomainEventOut } from '../../../functions/scoring/domain/score.js';
import { collected, day, pageView, track } from '../../helpers/events.js';
import { seqOf } from '../../helpers/kinesis-event.js';
import { memoryProcessorPorts } from '../../helpers/memory-ports.js';

const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules: []
lifecycle: { newWithinDays: 30, loyalOrders: 3, atRiskFactor: 2, atRiskMinDays: 30, atRiskMaxDays: 120, churnedAfterDays: 180 }
`);
const shard = 'shardId-000000000000';
let seq = 0;
const records = (...events: ReturnType<typeof collected>[]): StreamEvent[] => events.map((event) => ({ event, seq: seqOf(++seq), shard }));
const order = (who: string, id: string, d: number) => track('Order Completed', { order_id: id, total: 10 }, day(d), { anonymousId: who });

function setup() {
  const m = memoryProcessorPorts(rules);
  let reads = 0;
  const sweepPorts = {
    rules: async () => rules,
    profiles: m.profiles,
    publish: m.ports.publish,
    // The index as DynamoDB keeps it: only items with lifecycleDue, by partition.
    due: {
      async *dueBy(s: number, now: string) {
        reads++;
        yield [...m.profiles.items.values()].filter((i) => i.state.lifecycleDue && i.state.lifecycleDue <= now && duePartition(i.state.profileId) === duePartitionOf(s)).map((i) => i.state.profileId);
      },
    },
  };
  return { ...m, sweepPorts, reads: () => reads };
}
const changes = (published: DomainEventOut[], pid: string) =>
  published.filter((e) => e.detailType === 'lead.lifecycle_changed' && e.detail.profileId === pid).map((e) => `${(e.detail as { to: string }).to}@${(e.detail as { since: string }).since}`);

describe('lifecycle sweep', () => {
  it('moves customers on by time alone (new → active → at risk → churned), each change once however often it runs', async () => {
    const { ports, profiles, published, sweepPorts } = setup();
    const pid = anonymousProfileId('c1');
    await processBatch(records(order('c1', 'A', 0), order('c1', 'B', 10)), ports);
    expect(profiles.items.get(pid)!.state.lifecycleDue).toBe(day(30));

    for (const d of [29, 30, 30, 45, 49, 50, 190, 190, 200]) await sweepLifecycle(day(d), sweepPorts);
    // Usual interval 10 days, at risk after 2× → 30-day floor: at day 40; churned 180 days after the last order.
    expect(changes(published, pid)).toEqual([`new@${day(0)}`, `active@${day(30)}`, `at_risk@${day(40)}`, `churned@${day(190)}`]);
    expect(profiles.items.get(pid)!.state).not.toHaveProperty('lifecycleDue');
    expect(profiles.items.get(pid)!.outbox).toBeUndefined();
  });

  it('leaves people who are not due, and never publishes what the stream already did', async () => {
    const { ports, profiles, published, sweepPorts } = setup();
    await processBatch(records(order('c2', 'A', 0), pageView('/x', day(2), { anonymousId: 'b1' })), ports);
    const saves = profiles.saves;
    const r = await sweepLifecycle(day(10), sweepPorts);
    expect(r).toEqual({ due: 0, changed: 0, skipped: 0 });
    expect(profiles.saves).toBe(saves);
    // A stream event after the boundary moves c2 on first; the sweep then finds nothing left to do.
    await processBatch(records(pageView('/y', day(31), { anonymousId: 'c2' })), ports);
    await sweepLifecycle(day(32), sweepPorts);
    expect(changes(published, anonymousProfileId('c2'))).toEqual([`new@${day(0)}`, `active@${day(30)}`]);
  });

  it('does not move a state back in time for a late event', async () => {
    const { ports, published, sweepPorts } = setup();
    await processBatch(records(order('c3', 'A', 0)), ports);
    await sweepLifecycle(day(31), sweepPorts);
    await processBatch(records(pageView('/late', day(5), { anonymousId: 'c3' })), ports);
    expect(changes(published, anonymousProfileId('c3'))).toEqual([`new@${day(0)}`, `active@${day(30)}`]);
  });

  it('skips a profile updated concurrently, leaving it due for the next run', async () => {
    const { ports, profiles, published, sweepPorts } = setup();
    const pid = anonymousProfileId('c4');
    await processBatch(records(order('c4', 'A', 0)), ports);
    const race = { ...sweepPorts, profiles: { ...profiles, load: profiles.load.bind(profiles), clearOutbox: profiles.clearOutbox.bind(profiles), save: async () => false } };
    expect(await sweepLifecycle(day(31), race)).toMatchObject({ due: 1, changed: 0, skipped: 1 });
    expect(await sweepLifecycle(day(31), sweepPorts)).toMatchObject({ due: 1, changed: 1 });
    expect(changes(published, pid)).toEqual([`new@${day(0)}`, `active@${day(30)}`]);
  });
});
