import { describe, expect, it } from 'vitest';
import { type BroadcastAdminPorts, changeStatus, createBroadcast } from '../../../functions/broadcasts/domain/admin.js';
import type { Broadcast } from '../../../functions/broadcasts/domain/model.js';
import { ClientError } from '../../../functions/shared/errors.js';
import { MemoryBroadcastStore } from './memory.js';

function admin(now = new Date('2026-12-10T03:00:00Z')) {
  const store = new MemoryBroadcastStore();
  const started: string[] = [];
  let running = true;
  const ports: BroadcastAdminPorts = {
    store: Object.assign(store, {
      create: async (b: Broadcast) => (store.broadcasts.has(b.id) ? false : (store.broadcasts.set(b.id, structuredClone(b)), true)),
      list: async () => ({ items: [...store.broadcasts.values()] }),
      feedback: async () => [],
    }),
    segments: { exists: async (id) => id === 'vip', count: async () => 42 },
    starter: { start: async (b, g) => void started.push(`${b.id}-${g}`), running: async () => running },
    ratePerSecond: 14,
    defaultTimeZone: 'Asia/Tokyo',
    now: () => now,
  };
  return { ports, store, started, stop: () => (running = false) };
}

async function problem(work: Promise<unknown>) {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ClientError);
  return { status: (err as ClientError).statusCode, field: (err as ClientError).details.field };
}

describe('broadcast admin use cases', () => {
  it('creates and starts once; a repeat with the same id answers the stored broadcast', async () => {
    const a = admin();
    const first = await createBroadcast({ id: 'b-1', segment: 'vip', template: 'news', schedule: { localTime: '09:00', date: '2026-12-11' } }, a.ports);
    expect(first).toMatchObject({ created: true, broadcast: { status: 'scheduled', members: 42, ratePerSecond: 14, defaultTimeZone: 'Asia/Tokyo', startAt: '2026-12-10T19:00:00.000Z' } });
    const again = await createBroadcast({ id: 'b-1', segment: 'vip', template: 'news', schedule: { localTime: '09:00', date: '2026-12-11' } }, a.ports);
    expect(again.created).toBe(false);
    expect(a.started).toEqual(['b-1-0']);
  });

  it('answers 400 naming the field, 404 for an unknown segment', async () => {
    const a = admin();
    expect(await problem(createBroadcast({ segment: 'vip', template: 'News!' }, a.ports))).toEqual({ status: 400, field: 'template' });
    expect(await problem(createBroadcast({ segment: 'vip', template: 'news', schedule: 'tomorrow' }, a.ports))).toMatchObject({ status: 400, field: 'schedule' });
    expect(await problem(createBroadcast({ segment: 'vip', template: 'news', schedule: { localTime: '25:00', date: '2026-12-11' } }, a.ports))).toEqual({ status: 400, field: 'schedule.localTime' });
    expect(await problem(createBroadcast({ segment: 'vip', template: 'news', schedule: { localTime: '09:00', date: '2026-02-30' } }, a.ports))).toEqual({ status: 400, field: 'schedule.date' });
    expect(await problem(createBroadcast({ segment: 'vip', template: 'news', schedule: { at: '2026-12-10T09:00:00' } }, a.ports))).toEqual({ status: 400, field: 'schedule.at' });
    expect(await problem(createBroadcast({ segment: 'nobody', template: 'news' }, a.ports))).toEqual({ status: 404, field: 'segment' });
    expect(await problem(createBroadcast({ segment: 'vip', template: 'news', id: 'has space' }, a.ports))).toEqual({ status: 400, field: 'id' });
    expect(await problem(createBroadcast([], a.ports))).toEqual({ status: 400, field: 'body' });
  });

  it('pauses, resumes and cancels with the allowed transitions; a stalled broadcast resumes in a new execution', async () => {
    const a = admin();
    await createBroadcast({ id: 'b-2', segment: 'vip', template: 'news' }, a.ports);
    expect((await changeStatus('b-2', 'pause', a.ports)).status).toBe('paused');
    expect((await changeStatus('b-2', 'pause', a.ports)).status).toBe('paused'); // repeated
    expect((await changeStatus('b-2', 'resume', a.ports)).status).toBe('running');
    expect(a.started).toEqual(['b-2-0']);
    a.stop(); // the execution failed
    await changeStatus('b-2', 'resume', a.ports);
    expect(a.started).toEqual(['b-2-0', 'b-2-1']);
    expect(a.store.broadcasts.get('b-2')!.generation).toBe(1);
    expect((await changeStatus('b-2', 'cancel', a.ports)).status).toBe('cancelled');
    expect(await problem(changeStatus('b-2', 'resume', a.ports))).toEqual({ status: 409, field: 'status' });
    expect(await problem(changeStatus('b-9', 'pause', a.ports))).toMatchObject({ status: 404 });
  });
});
