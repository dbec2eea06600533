import type { IdentityRow } from '../../analytics/domain/lake.js';
import { eventRow, type LakeSink, mergeRow, stageRow } from '../../analytics/domain/lake-rows.js';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { type EventResolutionPorts, resolveEventProfiles } from '../../identity/domain/resolve-events.js';
import { survivorsOf } from '../../profiles/domain/merge-chain.js';
import { mergeProfiles } from '../../profiles/domain/merge.js';
import { idKey, quantizedRankKey, ranked, type ScoringState, sameStoredState, type StoredProfile } from '../../profiles/domain/profile.js';
import { applyMembershipEffects, type MembershipWriter } from '../../segments/domain/effects.js';
import { activityOf, type DeployedSegments, mergedAwayExits, segmentStep } from '../../segments/domain/step.js';
import { ProfileWriteRefusedError } from '../../profiles/errors.js';
import type { LeadStageChanged } from '../../shared/domain-events.js';
import { EventNotApplicableError } from '../errors.js';
import { rankKey } from './decay.js';
import type { RulesDoc } from './rules.js';
import { applyEvents, type DomainEventOut, foldScores, mergedEvent } from './score.js';
import { describeError, setAsideRecord, type SetAsideEvent } from './set-aside.js';

/** One decoded stream record. */
export interface StreamEvent {
  seq: string;
  shard: string;
  event: CollectedEvent;
}

/** Effects owed by a stored update: run after it is stored, and again after a crash until marked done. */
export interface Outbox {
  events: DomainEventOut[];
  tombstones: string[];
  /** Lake rows of the merges (absent on outboxes stored before the lake existed). */
  identity?: IdentityRow[];
  /** The ranking key the update stored (member items carry it), when ranked. */
  memberRank?: number;
  /** Segments the person stays in whose member items take memberRank (the rank moved). */
  reranks?: string[];
}

export type Stored = StoredProfile<Outbox>;

export interface SaveOptions {
  shard: string;
  seq: string;
  outbox: Outbox;
  rank?: { pk: string; key: number };
}

/** Ports of the stream processor; adapters implement them with DynamoDB, EventBridge and S3. */
export interface ProcessorPorts extends EventResolutionPorts {
  /** The profile store (profiles/adapters/profile-store.ts). */
  profiles: {
    load(ids: string[]): Promise<Map<string, Stored>>;
    save(stored: Stored, next: ScoringState, opts: SaveOptions): Promise<boolean>;
    tombstone(mergedId: string, survivorId: string): Promise<void>;
    /** Marks the outbox stored with `version` done (a no-op if a later update replaced it). */
    clearOutbox(profileId: string, version: number): Promise<void>;
  };
  rankPartition(stage: string, profileId: string): string;
  /** Keeps an event that cannot be applied, alone, for replay (scoring/adapters/set-aside-store.ts). */
  setAside(record: SetAsideEvent): Promise<void>;
  publish(events: DomainEventOut[]): Promise<void>;
  rules(): Promise<RulesDoc>;
  /** The deployed segments (cached by the adapter); without it, no segment is evaluated. */
  segments?(): Promise<DeployedSegments>;
  /** Member items and counters (segments/adapters/membership-store.ts); required with `segments`. */
  memberships?: MembershipWriter;
  /**
   * The event lake (analytics/adapters/firehose-lake.ts); without it nothing is written there. Writes are
   * at-least-once: a batch delivered again writes its rows again, and reports count distinct message ids.
   */
  lake?: LakeSink;
  /** Resumes scenario executions waiting for this event (only called when the profile waits for it). */
  resumeWaits?(profileId: string, eventName: string, event: CollectedEvent): Promise<number>;
  now(): Date;
  /** Where failures are reported (the function's structured logger). */
  log?(message: string, details: Record<string, unknown>): void;
}

export interface BatchResult {
  /** Sequence numbers of records whose processing failed (report as batch item failures). */
  failed: string[];
  applied: number;
  /** Events that could not be applied and were set aside for replay (none of them is in `failed`). */
  setAside: number;
  skippedBots: number;
  profiles: number;
  /** Stage changes stored by this batch, by the stage entered (e.g. { mql: 2 }). */
  stagesEntered: Record<string, number>;
}

/** Attempts at a profile update when concurrent writers (another shard) keep changing it. */
const maxSaveAttempts = 10;
/** Random pause before retrying a lost race, growing with the attempt (ms). */
const raceBackoffMs = 15;
/**
 * Largest outbox one update stores (JSON bytes). The outbox rides on the profile item, so a batch whose
 * events would owe more (many large track events of one person) is stored in several updates instead
 * of one that DynamoDB would refuse for its size.
 */
export const maxOutboxBytes = 32 * 1024;

const seqLess = (a: string, b: string) => BigInt(a) < BigInt(b);
const maxSeq = (rs: StreamEvent[]) => rs.reduce((m, r) => (seqLess(m, r.seq) ? r.seq : m), rs[0]!.seq);
const owes = (o: Outbox | undefined): o is Outbox =>
  Boolean(o && (o.events.length > 0 || o.tombstones.length > 0 || (o.identity?.length ?? 0) > 0 || (o.reranks?.length ?? 0) > 0));

/** The batch item failure to report: the lowest failed sequence number (Lambda retries from there). */
export function batchItemFailures(result: Pick<BatchResult, 'failed'>): { itemIdentifier: string }[] {
  const first = [...result.failed].sort((a, b) => (seqLess(a, b) ? -1 : 1))[0];
  return first ? [{ itemIdentifier: first }] : [];
}

/**
 * Processes one Kinesis batch: resolves each event's profile, applies a profile's events in one
 * conditional update, and publishes domain events after the update is stored. Exactly-once effects:
 * a per-shard checkpoint on each profile skips records it already applied (redelivery, retry after a
 * crash), messageIds dedupe client duplicates, and a version check serializes concurrent writers.
 */
export async function processBatch(records: StreamEvent[], ports: ProcessorPorts): Promise<BatchResult> {
  const rules = await ports.rules();
  const segments = ports.segments ? await ports.segments() : undefined;
  const humans = records.filter((r) => !r.event.nurture?.bot);
  const skippedBots = records.length - humans.length;

  const owner = await resolveEventProfiles(humans, ports);
  const ids = [...new Set(owner.values())];
  const loaded = await ports.profiles.load(ids);
  // Follow merge tombstones: a merged profile's events belong to its survivor.
  const { survivor, unresolved } = await survivorsOf(ids, loaded, (more) => ports.profiles.load(more));
  if (unresolved.length > 0) ports.log?.('merge chain too long; events stay on the last profile reached', { profileIds: unresolved });
  const byProfile = new Map<string, StreamEvent[]>();
  for (const r of humans) {
    const pid = survivor.get(owner.get(r)!)!;
    byProfile.set(pid, [...(byProfile.get(pid) ?? []), r]);
  }
  for (const evs of byProfile.values()) evs.sort((a, b) => (seqLess(a.seq, b.seq) ? -1 : seqLess(b.seq, a.seq) ? 1 : 0));

  const failed: string[] = [];
  const stagesEntered: Record<string, number> = {};
  let applied = 0;
  let setAside = 0;
  const lake = toLake(humans, (r) => survivor.get(owner.get(r)!)!, ports).then((seq) => {
    if (seq) failed.push(seq);
  });
  await Promise.all([
    lake,
    ...[...byProfile].map(async ([pid, evs]) => {
      try {
        // Not `applied += await …`: that reads `applied` before the await, losing concurrent profiles' counts.
        const n = await processProfile(pid, evs, loaded.get(pid)!, { rules, segments }, ports, stagesEntered);
        applied += n;
      } catch (err) {
        try {
          // Throttling, 5xx, timeouts: the whole profile is retried (at least once; checkpoints dedupe).
          if (!cannotApply(err)) throw err;
          const one = await oneByOne(pid, evs, { rules, segments }, ports, stagesEntered);
          applied += one.applied;
          setAside += one.setAside;
        } catch (retry) {
          ports.log?.('profile update failed', { profileId: pid, error: describeError(retry) });
          failed.push(evs[0]!.seq);
        }
      }
    }),
  ]);
  return { failed, applied, setAside, skippedBots, profiles: byProfile.size, stagesEntered };
}

/**
 * Writes the batch's human events to the lake, each with the profile it was resolved to, in one call beside
 * the profile updates. Bots never reach the lake. A failure is logged and its answer is the batch's lowest
 * sequence number, so Lambda delivers the whole batch again: profiles skip it by their checkpoints, and the
 * lake gets its rows a second time (duplicates are allowed; reports count distinct message ids).
 */
async function toLake(humans: StreamEvent[], profileOf: (r: StreamEvent) => string, ports: ProcessorPorts): Promise<string | undefined> {
  if (!ports.lake || humans.length === 0) return undefined;
  try {
    await ports.lake.events(humans.map((r) => eventRow(r.event, profileOf(r))));
    return undefined;
  } catch (err) {
    ports.log?.('lake write failed; the batch will be delivered again', { events: humans.length, error: describeError(err) });
    return humans.reduce((m, r) => (seqLess(r.seq, m) ? r.seq : m), humans[0]!.seq);
  }
}

/**
 * Failures that come from what an event carries, so retrying the same update fails the same way: DynamoDB
 * refused the write (profiles/adapters/profile-store.ts), or the rules engine failed on the data.
 */
export function cannotApply(err: unknown): boolean {
  return err instanceof ProfileWriteRefusedError || err instanceof EventNotApplicableError;
}

/**
 * A profile's events applied one update each, in stream order, after an update of them together could
 * not be applied: an event that still cannot be applied is set aside alone (kept for replay), and the
 * others are applied as if it had never come. Events already applied (the shard checkpoint) are skipped.
 * Any other failure is rethrown: the profile is retried as a whole.
 */
async function oneByOne(pid: string, evs: StreamEvent[], config: Config, ports: ProcessorPorts, stagesEntered: Record<string, number>) {
  let applied = 0;
  let setAside = 0;
  for (const r of evs) {
    const stored = (await ports.profiles.load([pid])).get(pid)!;
    try {
      const n = await processProfile(pid, [r], stored, config, ports, stagesEntered);
      applied += n;
    } catch (err) {
      if (!cannotApply(err)) throw err;
      const record = setAsideRecord({ profileId: pid, shard: r.shard, seq: r.seq, event: r.event, error: err }, ports.now());
      await ports.setAside(record);
      ports.log?.('event set aside: it cannot be applied', { profileId: pid, messageId: r.event.messageId, seq: r.seq, error: record.error });
      setAside++;
    }
  }
  return { applied, setAside };
}

interface Update {
  /** The events this update covers: a prefix of what is to do. */
  chunk: StreamEvent[];
  next: ScoringState;
  outbox: Outbox;
  applied: number;
}

/** What an update is computed with: the rules in force and the deployed segments. */
interface Config {
  rules: RulesDoc;
  segments?: DeployedSegments | undefined;
}

/** Applies merges and events of `chunk` to the state, then segments. Pure. */
function apply(pid: string, stored: Stored, chunk: StreamEvent[], others: Map<string, Stored>, { rules, segments }: Config, now: string): Update {
  let state = stored.state;
  const events: DomainEventOut[] = [];
  const tombstones: string[] = [];
  const identity: IdentityRow[] = [];
  const fold = foldScores(rules);
  for (const r of chunk) {
    for (const id of r.event.nurture?.mergeFrom ?? []) {
      const other = others.get(id);
      // Already merged (here or elsewhere: the first merge stands), or merged by this chunk already.
      if (!other || id === pid || other.mergedInto || state.merged.includes(id) || tombstones.includes(id)) continue;
      state = mergeProfiles(state, other.state, fold);
      events.push(mergedEvent(pid, id, r.event.messageId, r.event.timestamp));
      if (segments) events.push(...mergedAwayExits(other.state, new Date(now)));
      tombstones.push(id);
      identity.push(mergeRow(id, pid, r.event.messageId, r.event.timestamp));
    }
  }
  // Client duplicates (the profile's duplicate window) count in no behaviour window, as in no score.
  const fresh = chunk.filter((r) => !state.recentIds.includes(idKey(r.event.messageId))).map((r) => r.event);
  const result = applyEvents(state, chunk.map((r) => r.event), rules, now);
  const segmentEvents = segments ? segmentStep(result.state, stored.consent, segments, activityOf(fresh), new Date(now)) : [];
  const outbox = { events: [...events, ...result.events, ...segmentEvents], tombstones, ...(identity.length > 0 ? { identity } : {}) };
  return { chunk, next: result.state, outbox, applied: result.applied };
}

/** The longest prefix of `todo` whose outbox stays within maxOutboxBytes (at least one event). */
function planUpdate(pid: string, stored: Stored, todo: StreamEvent[], others: Map<string, Stored>, config: Config, now: string): Update {
  for (let n = todo.length; ; n = Math.ceil(n / 2)) {
    const update = apply(pid, stored, todo.slice(0, n), others, config, now);
    if (n === 1 || Buffer.byteLength(JSON.stringify(update.outbox), 'utf8') <= maxOutboxBytes) return update;
  }
}

/** Runs the pure computation of an update; its failure is the data's (it has no I/O to retry). */
function computeUpdate(plan: () => Update): Update {
  try {
    return plan();
  } catch (err) {
    throw new EventNotApplicableError(`scoring failed on the events' data: ${describeError(err)}`, { cause: err });
  }
}

async function processProfile(
  pid: string,
  evs: StreamEvent[],
  first: Stored,
  config: Config,
  ports: ProcessorPorts,
  stagesEntered: Record<string, number>,
): Promise<number> {
  const shard = evs[0]!.shard;
  const lastSeq = maxSeq(evs);
  let stored = first;
  let applied = 0;
  for (let attempt = 1; attempt <= maxSaveAttempts; ) {
    // Effects an earlier update still owes (a crash between its store and its publish) go first.
    if (owes(stored.outbox)) await runOutbox(pid, stored.outbox, stored.version, ports);
    const ck = stored.checkpoints[shard];
    // Already applied: a redelivery, or the last part of this batch is stored.
    if (ck && !seqLess(ck, lastSeq)) return applied;
    const todo = ck ? evs.filter((r) => seqLess(ck, r.seq)) : evs;

    const mergeIds = [...new Set(todo.flatMap((r) => r.event.nurture?.mergeFrom ?? []))].filter((id) => id !== pid && !stored.state.merged.includes(id));
    const others = mergeIds.length > 0 ? await ports.profiles.load(mergeIds) : new Map<string, Stored>();
    const update = computeUpdate(() => planUpdate(pid, stored, todo, others, config, ports.now().toISOString()));
    const next = update.next;
    if (stored.version > 0 && sameStoredState(stored.state, next)) {
      // Nothing a reader would see changed (a heartbeat past its cap, a page that earns nothing): no
      // write. The lake keeps the event; a redelivery finds the same nothing to do. Its bus events (a
      // known lead's page view) go out at least once, as every bus event does.
      if (update.outbox.events.length > 0) await ports.publish(update.outbox.events);
    } else {
      const rank = ranked(next) ? { pk: ports.rankPartition(next.stage, pid), key: rankKey(next.score.value, next.score.asOf, config.rules.halfLifeDays) } : undefined;
      if (config.segments) withMemberRank(update.outbox, stored, next, rank?.key);
      const ok = await ports.profiles.save(stored, next, { shard, seq: maxSeq(update.chunk), outbox: update.outbox, ...(rank ? { rank } : {}) });
      if (!ok) {
        attempt++;
        await new Promise((r) => setTimeout(r, Math.random() * raceBackoffMs * attempt));
        stored = (await ports.profiles.load([pid])).get(pid)!;
        continue;
      }
      for (const e of update.outbox.events) {
        if (e.detailType === 'lead.stage_changed') {
          const to = (e.detail as { to: string }).to;
          stagesEntered[to] = (stagesEntered[to] ?? 0) + 1;
        }
      }
      await runOutbox(pid, update.outbox, stored.version + 1, ports);
    }
    await resumeWaits(pid, stored, update.chunk, ports);
    applied += update.applied;
    if (update.chunk.length === todo.length) return applied;
    // The rest of the batch goes in a further update, on top of this one.
    stored = (await ports.profiles.load([pid])).get(pid)!;
  }
  throw new Error(`profile ${pid} kept changing under ${maxSaveAttempts} attempts`);
}

/**
 * Puts on the outbox the rank member items carry: the stored (quantized) key, and the segments the person
 * stays in when it moved, so a members list sorted by score follows the score.
 */
function withMemberRank(outbox: Outbox, stored: Stored, next: ScoringState, key: number | undefined) {
  const rank = key === undefined ? undefined : quantizedRankKey(key);
  if (rank !== undefined) outbox.memberRank = rank;
  if (rank === stored.rank?.key) return;
  const entering = new Set(outbox.events.flatMap((e) => (e.detailType === 'segment.entered' ? [(e.detail as { segmentId: string }).segmentId] : [])));
  const staying = Object.keys(next.segments ?? {}).filter((id) => stored.state.segments?.[id] !== undefined && !entering.has(id));
  if (staying.length > 0) outbox.reranks = staying;
}

/** Resumes the profile's scenario executions waiting for one of these events. */
async function resumeWaits(pid: string, stored: Stored, chunk: StreamEvent[], ports: ProcessorPorts) {
  const waiting = stored.waitingFor;
  if (!ports.resumeWaits || !waiting || waiting.size === 0) return;
  for (const r of chunk) {
    const name = r.event.event ?? (r.event.type === 'page' ? 'Page Viewed' : undefined);
    if (name && waiting.has(name)) await ports.resumeWaits(pid, name, r.event);
  }
}

/**
 * Runs the effects owed by a stored update: merge markers, the merges' lake rows, the stage changes' lake
 * rows, then domain events. Only an update that owes something pays the extra write that marks it done, so
 * a redelivery does not publish twice; a crash before that write runs them all again (a lake row may then
 * repeat with the same message_id, which reports allow).
 */
async function runOutbox(pid: string, outbox: Outbox, version: number, ports: ProcessorPorts) {
  if (!owes(outbox)) return;
  for (const id of outbox.tombstones) await ports.profiles.tombstone(id, pid);
  if (ports.lake && outbox.identity && outbox.identity.length > 0) await ports.lake.identity(outbox.identity);
  const stages = outbox.events.flatMap((e) => (e.detailType === 'lead.stage_changed' && !('activity' in e) ? [stageRow(e.detail as LeadStageChanged)] : []));
  if (ports.lake && stages.length > 0) await ports.lake.events(stages);
  if (ports.memberships) await applyMembershipEffects(pid, outbox, ports.memberships);
  if (outbox.events.length > 0) await ports.publish(outbox.events);
  await ports.profiles.clearOutbox(pid, version);
}
