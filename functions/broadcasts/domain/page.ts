/**
 * The broadcast's page task (one Lambda invocation per loop of a shard's Map iteration) and its finisher.
 *
 * Per page, in order: read the broadcast (cancelled or done: the iteration ends; paused: wait and look
 * again), read the shard's state, then
 * - members phase: read the next page of the shard's members (id order) and give each to the send use
 *   case (consent, suppression, caps, quiet hours; idempotency key `broadcast#<id>`), except a recipient
 *   whose local-time schedule is still ahead, who is deferred without a send;
 * - deferred phase (after the last member page): the shard's deferred entries in due order; those due
 *   are sent (or deferred again, later), and when none is due the shard waits for the next one;
 * then record deferred entries, and commit the shard's counters and cursor in one conditional write on
 * the page count it started from. A retried page re-reads the same cursor and sends again: the send use
 * case answers `sent` for whoever already got the mail, so nobody is mailed twice and, because only one
 * commit per page count succeeds, nobody is counted twice. The answer says how long to Wait: the page's
 * sent mails at the shard's share of the SES rate (pace.ts).
 */
import type { SendResult } from '../../sending/domain/contract.js';
import type { MembershipReader } from '../../segments/domain/membership.js';
import { broadcastIdempotencyKey, type Broadcast, broadcastLimits, deferredSk, emptyShard, type ShardState } from './model.js';
import { pace, pageSize } from './pace.js';
import { dueAt } from './schedule.js';
import { mapLimit } from '../../shared/map-limit.js';

/** A recipient to try again at `due`. */
export interface DeferredEntry {
  profileId: string;
  /** ISO instant (toISOString form: its sort order is time order). */
  due: string;
  reason: string;
}

export interface BroadcastStorePort {
  broadcast(id: string): Promise<Broadcast | undefined>;
  shard(id: string, shard: number): Promise<ShardState>;
  /** Writes `next` if the shard still has `pagesBefore` pages committed; false when another run did. */
  commit(id: string, pagesBefore: number, next: ShardState): Promise<boolean>;
  /** Records deferred entries (idempotent: an entry is keyed by its due time and profile). */
  defer(id: string, shard: number, entries: readonly DeferredEntry[]): Promise<void>;
  /** Deferred entries after `after` (a sort key), in due order, at most `limit`. */
  deferredAfter(id: string, shard: number, after: string | undefined, limit: number): Promise<DeferredEntry[]>;
  /** The recipient's time zone as their profile holds it (local-time schedules only). */
  timeZone(profileId: string): Promise<string | undefined>;
  allShards(id: string): Promise<ShardState[]>;
  /** Sets the status if it is one of `from`; false otherwise. */
  setStatus(id: string, to: Broadcast['status'], from: readonly Broadcast['status'][], now: Date): Promise<boolean>;
  /** Moves `generation` from `from` to from + 1; false when another run did. */
  bumpGeneration(id: string, from: number): Promise<boolean>;
}

export interface BroadcastSendInput {
  profileId: string;
  templateId: string;
  idempotencyKey: string;
  category: 'marketing';
  capPolicy: 'skip' | 'defer';
  broadcastId: string;
}

export interface ExecutionStarter {
  /** Starts execution `<id>-<generation>` (idempotent by name). */
  start(b: Broadcast, generation: number): Promise<void>;
  /** Whether execution `<id>-<generation>` is still running. */
  running(b: Broadcast, generation: number): Promise<boolean>;
}

export interface BroadcastPagePorts {
  store: BroadcastStorePort;
  members: Pick<MembershipReader, 'page'>;
  send(input: BroadcastSendInput): Promise<SendResult>;
  starter: ExecutionStarter;
  shards: number;
  /** Sends a page runs at once (default broadcastLimits.sendConcurrency). */
  sendConcurrency?: number;
  now(): Date;
}

export interface PageInput {
  broadcastId: string;
  shard: number;
  loops?: number;
  /** The previous wait's rounding (s, ≤ 0): see pace.ts. */
  carry?: number;
}

export interface PageOutput {
  broadcastId: string;
  shard: number;
  loops: number;
  /** `wait`: Wait waitSeconds then the next page; `paused`: the same, then look again; `end`/`continue`: the iteration ends. */
  next: 'wait' | 'paused' | 'end' | 'continue';
  waitSeconds: number;
  carry?: number;
  /**
   * Set instead of waitSeconds when the shard waits for its next deferred recipient: the Wait state waits
   * until this instant (at most maxWaitSeconds ahead), a Timestamp wait that local mode scales like scenarios'.
   */
  waitUntil?: string;
}


type Outcome = { kind: 'sent' } | { kind: 'skipped'; reason: string } | { kind: 'deferred'; entry: DeferredEntry };

function outcomeOf(profileId: string, r: SendResult): Outcome {
  if (r.status === 'sent') return { kind: 'sent' };
  if (r.status === 'skipped') return { kind: 'skipped', reason: r.reason };
  return { kind: 'deferred', entry: { profileId, due: new Date(r.until).toISOString(), reason: r.reason } };
}

/** Folds one page's outcomes into the shard state; `fromDeferred`: the recipients were counted deferred. */
export function applyOutcomes(state: ShardState, outcomes: readonly Outcome[], fromDeferred: boolean): ShardState {
  const next: ShardState = { ...state, skipped: { ...state.skipped }, deferrals: { ...state.deferrals }, pages: state.pages + 1 };
  if (!fromDeferred) next.targeted += outcomes.length;
  for (const o of outcomes) {
    if (o.kind === 'deferred') {
      next.deferrals[o.entry.reason] = (next.deferrals[o.entry.reason] ?? 0) + 1;
      if (!fromDeferred) next.deferred += 1;
      continue;
    }
    if (fromDeferred) next.deferred -= 1;
    if (o.kind === 'sent') next.sent += 1;
    else next.skipped[o.reason] = (next.skipped[o.reason] ?? 0) + 1;
  }
  return next;
}

/** One loop of a shard: see the module comment. */
export async function runPage(input: PageInput, ports: BroadcastPagePorts): Promise<PageOutput> {
  const { broadcastId: id, shard } = input;
  const loops = (input.loops ?? 0) + 1;
  const out = (next: PageOutput['next'], wait = 0, carry?: number): PageOutput => ({ broadcastId: id, shard, loops, next, waitSeconds: wait, ...(carry ? { carry } : {}) });
  const b = await ports.store.broadcast(id);
  if (!b || b.status === 'cancelled' || b.status === 'done') return out('end');
  if (b.status === 'paused') return out('paused', broadcastLimits.pausePollSeconds);
  if (loops > broadcastLimits.maxLoopsPerExecution) return out('continue');

  const started = ports.now();
  const state = await ports.store.shard(id, shard);
  if (state.phase === 'done') return out('end');
  const limit = pageSize(b.ratePerSecond, ports.shards);
  const sendTo = async (profileId: string) =>
    outcomeOf(
      profileId,
      await ports.send({ profileId, templateId: b.templateId, idempotencyKey: broadcastIdempotencyKey(id), category: 'marketing', capPolicy: b.capPolicy, broadcastId: id }),
    );

  let next: ShardState;
  let outcomes: Outcome[];
  if (state.phase === 'members') {
    const page = await ports.members.page(b.segmentId, shard, { ...(state.cursor ? { cursor: state.cursor } : {}), limit, order: 'id' });
    const localTime = b.schedule !== 'now' && 'localTime' in b.schedule;
    outcomes = await mapLimit(page.members, ports.sendConcurrency ?? broadcastLimits.sendConcurrency, async (m): Promise<Outcome> => {
      if (localTime) {
        const due = dueAt(b.schedule, await ports.store.timeZone(m.profileId), b.defaultTimeZone, started);
        if (due.getTime() > started.getTime()) return { kind: 'deferred', entry: { profileId: m.profileId, due: due.toISOString(), reason: 'local-time' } };
      }
      return sendTo(m.profileId);
    });
    next = applyOutcomes(state, outcomes, false);
    if (page.cursor) next.cursor = page.cursor;
    else {
      delete next.cursor;
      next.phase = 'deferred';
    }
  } else {
    const entries = await ports.store.deferredAfter(id, shard, state.deferredCursor, limit);
    if (entries.length === 0) {
      if (!(await ports.store.commit(id, state.pages, { ...state, pages: state.pages + 1, phase: 'done' }))) return out('wait');
      return out('end');
    }
    const due = entries.filter((e) => Date.parse(e.due) <= started.getTime());
    if (due.length === 0) {
      const until = Math.min(Date.parse(entries[0]!.due), started.getTime() + broadcastLimits.maxWaitSeconds * 1000);
      return { ...out('wait'), waitUntil: new Date(until).toISOString() };
    }
    outcomes = await mapLimit(due, ports.sendConcurrency ?? broadcastLimits.sendConcurrency, (e) => sendTo(e.profileId));
    next = applyOutcomes(state, outcomes, true);
    const last = due.at(-1)!;
    next.deferredCursor = deferredSk(last.due, last.profileId);
  }

  // Deferred entries first: a crash between the two writes leaves entries a retried page writes again
  // (same keys), never a committed page whose recipients were not recorded.
  const deferred = outcomes.flatMap((o) => (o.kind === 'deferred' ? [o.entry] : []));
  if (deferred.length > 0) await ports.store.defer(id, shard, deferred);
  if (!(await ports.store.commit(id, state.pages, next))) return out('wait');
  const sent = outcomes.filter((o) => o.kind === 'sent').length;
  const paced = pace(sent, b.ratePerSecond, ports.shards, ports.now().getTime() - started.getTime(), input.carry);
  return out('wait', paced.waitSeconds, paced.carry);
}

export interface FinishInput {
  broadcastId: string;
  generation: number;
}

/**
 * After the Map: every shard done → the broadcast is `done`; otherwise (shards that used up this
 * execution's loop budget) the broadcast continues in execution generation + 1, unless cancelled.
 */
export async function finishExecution(input: FinishInput, ports: Pick<BroadcastPagePorts, 'store' | 'starter' | 'now'>): Promise<{ status: string; continuedAs?: number }> {
  const b = await ports.store.broadcast(input.broadcastId);
  if (!b) return { status: 'unknown' };
  if (b.status === 'cancelled' || b.status === 'done') return { status: b.status };
  const shards = await ports.store.allShards(b.id);
  if (shards.every((s) => s.phase === 'done')) {
    await ports.store.setStatus(b.id, 'done', ['running', 'paused'], ports.now());
    return { status: 'done' };
  }
  const generation = input.generation + 1;
  // Started before the bump: a retried finisher starts the same name again (idempotent), never none.
  await ports.starter.start(b, generation);
  await ports.store.bumpGeneration(b.id, input.generation);
  return { status: b.status, continuedAs: generation };
}

export { emptyShard };
