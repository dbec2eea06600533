/**
 * In-memory broadcast ports (store, members, send, starter) for unit tests and the benchmark: the same
 * contracts as the DynamoDB adapters, with a counter of the writes each would make.
 */
import type { SendResult } from '../../../functions/sending/domain/contract.js';
import type { Member, MemberPage } from '../../../functions/segments/domain/membership.js';
import { type Broadcast, deferredSk, emptyShard, type ShardState } from '../../../functions/broadcasts/domain/model.js';
import type { BroadcastPagePorts, BroadcastSendInput, BroadcastStorePort, DeferredEntry } from '../../../functions/broadcasts/domain/page.js';

export class MemoryBroadcastStore implements BroadcastStorePort {
  readonly broadcasts = new Map<string, Broadcast>();
  readonly shards = new Map<string, ShardState>();
  readonly deferred = new Map<string, Map<string, DeferredEntry>>();
  readonly zones = new Map<string, string>();
  /** Writes the DynamoDB adapter would make: conditional puts, deferred entries, status changes. */
  writes = { commits: 0, deferred: 0, other: 0 };
  /** Fails the next commit as if another run had committed first. */
  loseNextCommit = false;

  async broadcast(id: string) {
    const b = this.broadcasts.get(id);
    return b && { ...b };
  }
  async shard(id: string, shard: number) {
    const s = this.shards.get(`${id}#${shard}`);
    return s ? structuredClone(s) : emptyShard(shard);
  }
  async commit(id: string, pagesBefore: number, next: ShardState) {
    this.writes.commits++;
    const key = `${id}#${next.shard}`;
    if (this.loseNextCommit || (this.shards.get(key)?.pages ?? 0) !== pagesBefore) {
      this.loseNextCommit = false;
      return false;
    }
    this.shards.set(key, structuredClone(next));
    return true;
  }
  async defer(id: string, shard: number, entries: readonly DeferredEntry[]) {
    const key = `${id}#${shard}`;
    const list = this.deferred.get(key) ?? new Map<string, DeferredEntry>();
    for (const e of entries) list.set(deferredSk(e.due, e.profileId), e);
    this.deferred.set(key, list);
    this.writes.deferred += entries.length;
  }
  async deferredAfter(id: string, shard: number, after: string | undefined, limit: number) {
    const list = this.deferred.get(`${id}#${shard}`) ?? new Map<string, DeferredEntry>();
    return [...list.keys()]
      .sort()
      .filter((k) => after === undefined || k > after)
      .slice(0, limit)
      .map((k) => list.get(k)!);
  }
  async timeZone(profileId: string) {
    return this.zones.get(profileId);
  }
  async allShards(id: string) {
    return Promise.all(Array.from({ length: 16 }, (_, n) => this.shard(id, n)));
  }
  async setStatus(id: string, to: Broadcast['status'], from: readonly Broadcast['status'][]) {
    const b = this.broadcasts.get(id);
    if (!b || !from.includes(b.status)) return false;
    this.writes.other++;
    b.status = to;
    return true;
  }
  async bumpGeneration(id: string, from: number) {
    const b = this.broadcasts.get(id);
    if (!b || b.generation !== from) return false;
    b.generation = from + 1;
    return true;
  }
}

/** Members by shard, paged by profile id like DynamoMembershipStore.page (the cursor is the last id). */
export class MemoryMembers {
  readonly byShard = new Map<number, string[]>();
  reads = 0;
  add(shard: number, profileId: string) {
    const list = this.byShard.get(shard) ?? [];
    list.push(profileId);
    this.byShard.set(shard, list);
  }
  sort() {
    for (const list of this.byShard.values()) list.sort();
  }
  async page(_segmentId: string, shard: number, opts: { cursor?: string; limit?: number } = {}): Promise<MemberPage> {
    this.reads++;
    const list = this.byShard.get(shard) ?? [];
    let start = 0;
    if (opts.cursor) {
      // Binary search: the first id after the cursor.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]! <= opts.cursor) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const slice = list.slice(start, start + (opts.limit ?? 100));
    const members: Member[] = slice.map((profileId) => ({ profileId, enteredAt: '2026-12-01T00:00:00.000Z' }));
    const more = start + slice.length < list.length;
    return { members, ...(more ? { cursor: slice.at(-1)! } : {}) };
  }
}

/** A send stand-in: idempotent per (profile, key) like the real one; `decide` picks each first answer. */
export class MemorySend {
  readonly answers = new Map<string, SendResult>();
  mailed = 0;
  calls = 0;
  constructor(private readonly decide: (input: BroadcastSendInput, now: Date) => SendResult = () => ({ status: 'sent', sendId: 's', messageId: 'm' })) {}
  async send(input: BroadcastSendInput, now: Date): Promise<SendResult> {
    this.calls++;
    const key = `${input.profileId}\n${input.idempotencyKey}`;
    const earlier = this.answers.get(key);
    if (earlier?.status === 'sent') return earlier;
    const answer = this.decide(input, now);
    if (answer.status === 'sent') this.mailed++;
    this.answers.set(key, answer);
    return answer;
  }
}

export function memoryPorts(opts: { store?: MemoryBroadcastStore; members?: MemoryMembers; send?: MemorySend; now: () => Date; onStart?: (b: Broadcast, generation: number) => void }) {
  const store = opts.store ?? new MemoryBroadcastStore();
  const members = opts.members ?? new MemoryMembers();
  const sender = opts.send ?? new MemorySend();
  const started: number[] = [];
  const ports: BroadcastPagePorts = {
    store,
    members,
    send: (input) => sender.send(input, opts.now()),
    starter: {
      start: async (b, g) => {
        started.push(g);
        opts.onStart?.(b, g);
      },
      running: async () => false,
    },
    shards: 16,
    now: opts.now,
  };
  return { ports, store, members, sender, started };
}

export function broadcastOf(over: Partial<Broadcast> = {}): Broadcast {
  return {
    id: 'b1',
    segmentId: 'seg',
    templateId: 'news',
    schedule: 'now',
    capPolicy: 'skip',
    status: 'running',
    startAt: '2026-12-10T00:00:00.000Z',
    ratePerSecond: 16,
    defaultTimeZone: 'UTC',
    members: 0,
    createdAt: '2026-12-10T00:00:00.000Z',
    updatedAt: '2026-12-10T00:00:00.000Z',
    generation: 0,
    ...over,
  };
}

/** What a simulated run of the state machine did. */
export interface SimulatedRun {
  /** Page task invocations (Map iteration loops), over all executions. */
  loops: number;
  /** State transitions: per loop Page + Next page? (+ Pace when it waits), per execution Scheduled? + Map + Finish, per iteration Shard done. */
  transitions: number;
  executions: number;
  /** Virtual ms when the run ended. */
  endedAt: number;
}

/**
 * Runs the broadcast state machine's logic (domain/asl.ts) against a virtual clock: each shard's loop
 * calls runPage at its own virtual time, then "waits" by moving its next time; the shard due first runs
 * next. No real waiting. A page task's own duration is whatever the ports advance the clock by while it
 * runs (the benchmark's send stub does), plus `taskMs`.
 */
export async function simulate(
  ports: BroadcastPagePorts,
  clock: { t: number },
  broadcastId: string,
  opts: { taskMs?: number; maxExecutions?: number } = {},
): Promise<SimulatedRun> {
  const { runPage, finishExecution } = await import('../../../functions/broadcasts/domain/page.js');
  const run: SimulatedRun = { loops: 0, transitions: 0, executions: 0, endedAt: clock.t };
  for (let generation = 0; generation < (opts.maxExecutions ?? 1000); generation++) {
    run.executions++;
    run.transitions += 3; // Scheduled?, Shards (Map), Finish
    const queue: { shard: number; at: number; loops: number; carry?: number }[] = Array.from({ length: ports.shards }, (_, shard) => ({ shard, at: clock.t, loops: 0 }));
    let executionEnd = clock.t;
    while (queue.length > 0) {
      let first = 0;
      for (let i = 1; i < queue.length; i++) if (queue[i]!.at < queue[first]!.at) first = i;
      const next = queue.splice(first, 1)[0]!;
      clock.t = next.at;
      const out = await runPage({ broadcastId, shard: next.shard, loops: next.loops, ...(next.carry ? { carry: next.carry } : {}) }, ports);
      clock.t += opts.taskMs ?? 0;
      run.loops++;
      run.transitions += 2; // Page, Next page?
      if (out.next === 'end' || out.next === 'continue') {
        run.transitions += 1; // Shard done
        executionEnd = Math.max(executionEnd, clock.t);
        continue;
      }
      if (out.waitSeconds > 0 || out.waitUntil) run.transitions += 1; // Pace or Wait for due
      const at = out.waitUntil ? Math.max(clock.t, Date.parse(out.waitUntil)) : clock.t + out.waitSeconds * 1000;
      queue.push({ shard: next.shard, at, loops: out.loops, ...(out.carry ? { carry: out.carry } : {}) });
    }
    clock.t = executionEnd;
    const finished = await finishExecution({ broadcastId, generation }, ports);
    if (finished.continuedAs === undefined) break;
  }
  run.endedAt = clock.t;
  return run;
}
