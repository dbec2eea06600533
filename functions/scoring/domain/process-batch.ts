import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { IdentifyCall, LinkStore, Resolution } from '../../identity/domain/identify.js';
import { anonymousProfileId, type IdentityKey, keyString } from '../../identity/domain/keys.js';
import { rankKey } from './decay.js';
import type { RulesDoc } from './rules.js';
import { applyEvents, type DomainEventOut, mergeStates } from './score.js';
import type { ActivityEntry, ScoringState } from './state.js';

/** One decoded stream record. */
export interface StreamEvent {
  seq: string;
  shard: string;
  event: CollectedEvent;
}

export interface Outbox {
  events: DomainEventOut[];
  tombstones: string[];
}

export interface StoredProfile {
  state: ScoringState;
  version: number;
  checkpoints: Record<string, string>;
  mergedInto?: string;
  outbox?: Outbox;
  /** Event names this profile's running scenarios wait for (kept on the item by scenarios). */
  waitingFor?: ReadonlySet<string>;
}

/** Ports of the stream processor; adapters implement them with DynamoDB, EventBridge and S3. */
export interface ProcessorPorts {
  links: Pick<LinkStore, 'get'>;
  /** Resolves (and links) a user id seen for the first time outside identify. */
  identify(call: IdentifyCall): Promise<Resolution | undefined>;
  profiles: {
    load(ids: string[]): Promise<Map<string, StoredProfile>>;
    save(stored: StoredProfile, next: ScoringState, opts: { shard: string; seq: string; outbox: Outbox; rank?: { pk: string; key: number } }): Promise<boolean>;
    archive(profileId: string, entries: ActivityEntry[]): Promise<void>;
    tombstone(mergedId: string, survivorId: string): Promise<void>;
    /** Marks the outbox stored with `version` done (a no-op if a later update replaced it). */
    clearOutbox(profileId: string, version: number): Promise<void>;
  };
  rankPartition(stage: string, profileId: string): string;
  publish(events: DomainEventOut[]): Promise<void>;
  rules(): Promise<RulesDoc>;
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
  skippedBots: number;
  profiles: number;
  /** Stage changes stored by this batch, by the stage entered (e.g. { mql: 2 }). */
  stagesEntered: Record<string, number>;
}

/** Merge chains are followed at most this far (A merged into B merged into C ...). */
const maxMergeHops = 5;
/** Attempts at a profile update when concurrent writers (another shard) keep changing it. */
const maxSaveAttempts = 10;
/** Random pause before retrying a lost race, growing with the attempt (ms). */
const raceBackoffMs = 15;

const seqLess = (a: string, b: string) => BigInt(a) < BigInt(b);

/**
 * Processes one Kinesis batch: resolves each event's profile, applies a profile's events in one
 * conditional update, and publishes domain events after the update is stored. Exactly-once effects:
 * a per-shard checkpoint on each profile skips records it already applied (redelivery, retry after a
 * crash), messageIds dedupe client duplicates, and a version check serializes concurrent writers.
 */
export async function processBatch(records: StreamEvent[], ports: ProcessorPorts): Promise<BatchResult> {
  const rules = await ports.rules();
  const humans = records.filter((r) => !r.event.nurture?.bot);
  const skippedBots = records.length - humans.length;

  const owner = await resolveProfiles(humans, ports);
  const byProfile = new Map<string, StreamEvent[]>();
  for (const r of humans) {
    const pid = owner.get(r)!;
    byProfile.set(pid, [...(byProfile.get(pid) ?? []), r]);
  }

  const loaded = await ports.profiles.load([...byProfile.keys()]);
  // Follow merge tombstones: a merged profile's events belong to its survivor.
  for (let hop = 0; hop < maxMergeHops; hop++) {
    const moves = [...byProfile.keys()].filter((id) => loaded.get(id)?.mergedInto);
    if (moves.length === 0) break;
    const targets = moves.map((id) => loaded.get(id)!.mergedInto!);
    const more = await ports.profiles.load(targets.filter((t) => !loaded.has(t)));
    for (const [k, v] of more) loaded.set(k, v);
    moves.forEach((id, i) => {
      const target = targets[i]!;
      byProfile.set(target, [...(byProfile.get(target) ?? []), ...byProfile.get(id)!].sort((a, b) => (seqLess(a.seq, b.seq) ? -1 : 1)));
      byProfile.delete(id);
    });
  }

  const failed: string[] = [];
  const stagesEntered: Record<string, number> = {};
  let applied = 0;
  await Promise.all(
    [...byProfile].map(async ([pid, evs]) => {
      try {
        applied += await processProfile(pid, evs, loaded.get(pid)!, rules, ports, stagesEntered);
      } catch (err) {
        ports.log?.('profile update failed', { profileId: pid, error: String(err) });
        failed.push(evs[0]!.seq);
      }
    }),
  );
  return { failed, applied, skippedBots, profiles: byProfile.size, stagesEntered };
}

async function resolveProfiles(records: StreamEvent[], ports: ProcessorPorts): Promise<Map<StreamEvent, string>> {
  const keys = new Map<string, IdentityKey>();
  for (const { event } of records) {
    if (event.nurture?.profileId) continue;
    if (event.userId) keys.set(`user:${event.userId}`, { kind: 'user', value: event.userId });
    if (event.anonymousId) keys.set(`anon:${event.anonymousId}`, { kind: 'anon', value: event.anonymousId });
  }
  const links = keys.size > 0 ? await getLinks(ports, [...keys.values()]) : new Map();
  const out = new Map<StreamEvent, string>();
  for (const r of records) {
    const e = r.event;
    let pid = e.nurture?.profileId ?? (e.userId ? links.get(keyString({ kind: 'user', value: e.userId }))?.profileId : undefined);
    if (!pid && e.userId) {
      // A user id never identified before (e.g. a server-side SDK): link it now, as identify would.
      const res = await ports.identify({
        userId: e.userId,
        ...(e.anonymousId ? { anonymousId: e.anonymousId } : {}),
        at: e.timestamp,
      });
      pid = res?.profileId;
      if (res) links.set(keyString({ kind: 'user', value: e.userId }), { profileId: res.profileId });
    }
    pid ??= e.anonymousId ? (links.get(keyString({ kind: 'anon', value: e.anonymousId }))?.profileId ?? anonymousProfileId(e.anonymousId)) : undefined;
    out.set(r, pid ?? anonymousProfileId(e.messageId));
  }
  return out;
}

async function getLinks(ports: ProcessorPorts, keys: IdentityKey[]) {
  const out = new Map<string, { profileId: string }>();
  for (let i = 0; i < keys.length; i += 100) for (const [k, v] of await ports.links.get(keys.slice(i, i + 100))) out.set(k, v);
  return out;
}

async function processProfile(
  pid: string,
  evs: StreamEvent[],
  first: StoredProfile,
  rules: RulesDoc,
  ports: ProcessorPorts,
  stagesEntered: Record<string, number>,
): Promise<number> {
  const shard = evs[0]!.shard;
  const lastSeq = evs.reduce((m, r) => (seqLess(m, r.seq) ? r.seq : m), evs[0]!.seq);
  let stored = first;
  for (let attempt = 1; attempt <= maxSaveAttempts; attempt++) {
    if (attempt > 1) {
      await new Promise((r) => setTimeout(r, Math.random() * raceBackoffMs * attempt));
      stored = (await ports.profiles.load([pid])).get(pid)!;
    }
    const ck = stored.checkpoints[shard];
    if (ck && !seqLess(ck, lastSeq)) {
      // Already applied: this is a redelivery. Finish what a crash may have interrupted.
      if (ck === lastSeq && stored.outbox) await runOutbox(pid, stored.outbox, stored.version, ports);
      return 0;
    }
    const todo = ck ? evs.filter((r) => seqLess(ck, r.seq)) : evs;

    let state = stored.state;
    const mergeEvents: DomainEventOut[] = [];
    const tombstones: string[] = [];
    const mergeIds = [...new Set(todo.flatMap((r) => r.event.nurture?.mergeFrom ?? []))].filter(
      (id) => id !== pid && !state.merged.includes(id),
    );
    if (mergeIds.length > 0) {
      const others = await ports.profiles.load(mergeIds);
      for (const id of mergeIds) {
        const other = others.get(id)!;
        if (other.mergedInto && other.mergedInto !== pid) continue;
        const cause = todo.find((r) => r.event.nurture?.mergeFrom?.includes(id))!.event;
        const merged = mergeStates(state, other.state, rules, cause.messageId, cause.timestamp);
        state = merged.state;
        mergeEvents.push(merged.event);
        tombstones.push(id);
      }
    }

    const now = ports.now().toISOString();
    const result = applyEvents(state, todo.map((r) => r.event), rules, now);
    if (result.archive.length > 0) await ports.profiles.archive(pid, result.archive);
    const outbox: Outbox = { events: [...mergeEvents, ...result.events], tombstones };
    const next = result.state;
    const indexed = next.known || next.score.value > 0;
    const ok = await ports.profiles.save(stored, next, {
      shard,
      seq: lastSeq,
      outbox,
      ...(indexed ? { rank: { pk: ports.rankPartition(next.stage, pid), key: rankKey(next.score.value, next.score.asOf, rules.halfLifeDays) } } : {}),
    });
    if (!ok) continue;
    for (const e of outbox.events) {
      if (e.detailType === 'lead.stage_changed') {
        const to = (e.detail as { to: string }).to;
        stagesEntered[to] = (stagesEntered[to] ?? 0) + 1;
      }
    }
    await runOutbox(pid, outbox, stored.version + 1, ports);
    const waiting = stored.waitingFor;
    if (ports.resumeWaits && waiting && waiting.size > 0) {
      for (const r of todo) {
        const name = r.event.event ?? (r.event.type === 'page' ? 'Page Viewed' : undefined);
        if (name && waiting.has(name)) await ports.resumeWaits(pid, name, r.event);
      }
    }
    return result.applied;
  }
  throw new Error(`profile ${pid} kept changing under ${maxSaveAttempts} attempts`);
}

/**
 * Runs the effects owed by a stored update: merge markers, then domain events. Only an update that owes
 * something pays the extra write that marks it done, so a redelivery does not publish twice.
 */
async function runOutbox(pid: string, outbox: Outbox, version: number, ports: ProcessorPorts) {
  if (outbox.tombstones.length === 0 && outbox.events.length === 0) return;
  for (const id of outbox.tombstones) await ports.profiles.tombstone(id, pid);
  if (outbox.events.length > 0) await ports.publish(outbox.events);
  await ports.profiles.clearOutbox(pid, version);
}
