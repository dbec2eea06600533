import { describe, expect, it } from 'vitest';
import { broadcastLimits } from '../../../functions/broadcasts/domain/model.js';
import { runPage } from '../../../functions/broadcasts/domain/page.js';
import { foldResults } from '../../../functions/broadcasts/domain/results.js';
import { quietHoursEnd } from '../../../functions/sending/domain/windows.js';
import { broadcastOf, MemoryBroadcastStore, MemoryMembers, MemorySend, memoryPorts, simulate } from './memory.js';

const t0 = Date.parse('2026-12-10T12:00:00Z');
const people = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(5, '0')}`);

function setup(n: number, decide?: ConstructorParameters<typeof MemorySend>[0], over = {}) {
  const clock = { t: t0 };
  const members = new MemoryMembers();
  people(n).forEach((p, i) => members.add(i % 16, p));
  members.sort();
  const store = new MemoryBroadcastStore();
  store.broadcasts.set('b1', broadcastOf(over));
  const send = new MemorySend(decide);
  const m = memoryPorts({ store, members, send, now: () => new Date(clock.t) });
  return { ...m, clock };
}

const results = async (store: MemoryBroadcastStore) => foldResults(await store.allShards('b1'), []);

describe('broadcast page loop', () => {
  it('sends every member exactly once, counts exactly, and ends done', async () => {
    const s = setup(500);
    await simulate(s.ports, s.clock, 'b1');
    expect(s.sender.mailed).toBe(500);
    expect(await results(s.store)).toMatchObject({ targeted: 500, sent: 500, deferred: 0, skipped: { total: 0 } });
    expect(s.store.broadcasts.get('b1')!.status).toBe('done');
  });

  it('counts what the caps skip, by reason, and sends only the permitted', async () => {
    const s = setup(300, (i) => (Number(i.profileId.slice(1)) % 3 === 0 ? { status: 'skipped', reason: 'cap-reached' } : { status: 'sent', sendId: 's', messageId: 'm' }));
    await simulate(s.ports, s.clock, 'b1');
    expect(s.sender.mailed).toBe(200);
    expect(await results(s.store)).toMatchObject({ targeted: 300, sent: 200, skipped: { total: 100, byReason: { 'cap-reached': 100 } } });
  });

  it('a page that crashes after sending part of it, retried, mails nobody twice and counts each once', async () => {
    const s = setup(64);
    let failAfter = 2;
    const real = s.ports.send;
    s.ports.send = async (input) => {
      if (failAfter-- === 0) throw new Error('Lambda timed out');
      return real(input);
    };
    await expect(runPage({ broadcastId: 'b1', shard: 0 }, s.ports)).rejects.toThrow('timed out');
    // Part of the page went out (lanes already sending finish theirs), not all of the shard's 4.
    expect(s.sender.mailed).toBeGreaterThanOrEqual(2);
    expect(s.sender.mailed).toBeLessThan(4);
    await simulate(s.ports, s.clock, 'b1');
    expect(s.sender.mailed).toBe(64);
    expect(await results(s.store)).toMatchObject({ targeted: 64, sent: 64 });
  });

  it('a page whose commit another run won is not counted twice', async () => {
    const s = setup(32);
    s.store.loseNextCommit = true;
    const out = await runPage({ broadcastId: 'b1', shard: 3 }, s.ports);
    expect(out).toMatchObject({ next: 'wait', waitSeconds: 0 });
    await simulate(s.ports, s.clock, 'b1');
    expect(await results(s.store)).toMatchObject({ targeted: 32, sent: 32 });
  });

  it('defers recipients in quiet hours and sends them when the hours end', async () => {
    const quiet = { start: 21 * 60, end: 8 * 60 };
    const s = setup(48, (_i, now) => {
      const until = quietHoursEnd(now, 'Asia/Tokyo', quiet);
      return until ? { status: 'deferred', until: until.toISOString(), reason: 'quiet-hours' } : { status: 'sent', sendId: 's', messageId: 'm' };
    });
    s.clock.t = Date.parse('2026-12-10T13:00:00Z'); // 22:00 in Tokyo
    await simulate(s.ports, s.clock, 'b1');
    expect(s.sender.mailed).toBe(48);
    const r = await results(s.store);
    expect(r).toMatchObject({ targeted: 48, sent: 48, deferred: 0, deferrals: { 'quiet-hours': 48 } });
    expect(s.clock.t).toBeGreaterThanOrEqual(Date.parse('2026-12-10T23:00:00Z')); // 08:00 Tokyo
  });

  it('sends a local-time broadcast to each zone at its time, never before', async () => {
    const s = setup(32, undefined, { schedule: { localTime: '09:00', date: '2026-12-11' } });
    const sentAt = new Map<string, number>();
    const real = s.ports.send;
    s.ports.send = async (input) => {
      sentAt.set(input.profileId, s.clock.t);
      return real(input);
    };
    people(32).forEach((p, i) => i % 2 === 0 && s.store.zones.set(p, 'America/New_York'));
    s.clock.t = Date.parse('2026-12-11T00:00:00Z'); // 09:00 in Tokyo passed? no: 09:00 Tokyo = 00:00Z
    await simulate(s.ports, s.clock, 'b1');
    expect(s.sender.mailed).toBe(32);
    for (const [p, at] of sentAt) {
      const due = Number(p.slice(1)) % 2 === 0 ? Date.parse('2026-12-11T14:00:00Z') : Date.parse('2026-12-11T09:00:00Z'); // New York / UTC default
      expect(at).toBeGreaterThanOrEqual(due);
    }
    expect(await results(s.store)).toMatchObject({ targeted: 32, sent: 32, deferred: 0, deferrals: { 'local-time': 32 } });
  });

  it('a paused broadcast sends nothing and waits; a cancelled one ends', async () => {
    const s = setup(16, undefined, { status: 'paused' });
    expect(await runPage({ broadcastId: 'b1', shard: 0 }, s.ports)).toMatchObject({ next: 'paused', waitSeconds: broadcastLimits.pausePollSeconds });
    s.store.broadcasts.get('b1')!.status = 'cancelled';
    expect(await runPage({ broadcastId: 'b1', shard: 0 }, s.ports)).toMatchObject({ next: 'end' });
    expect(s.sender.calls).toBe(0);
  });

  it('continues in a new execution after maxLoopsPerExecution loops of a shard, without losing anyone', async () => {
    // Rate 1/s → 1 recipient a page: 16 × 130 members need more loops than one execution allows.
    const s = setup(16 * 130, undefined, { ratePerSecond: 1 });
    const run = await simulate(s.ports, s.clock, 'b1');
    expect(run.executions).toBeGreaterThan(1);
    expect(s.started.length).toBe(run.executions - 1);
    expect(s.sender.mailed).toBe(16 * 130);
    expect(await results(s.store)).toMatchObject({ targeted: 16 * 130, sent: 16 * 130 });
  });
});
