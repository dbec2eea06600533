/**
 * Re-evaluates the segments of stored profiles with no new event: the segments due sweep (people whose
 * membership changes by time alone, found through the `bySegmentsDue` index) and a back-fill (a new or
 * changed definition). Each change is stored with its events in the profile's outbox under the version
 * read (a concurrent stream update wins; that update evaluates segments itself), then its member items
 * written, its events published and the outbox marked done. Run twice at the same time, it finds nothing
 * left to do. A customer's lifecycle state is moved first when its time has come, so segments reading it
 * are current. Pure (ports).
 */
import type { Consent, ScoringState, StoredProfile } from '../../profiles/domain/profile.js';
import { sameStoredState } from '../../profiles/domain/profile.js';
import type { LifecycleThresholds } from '../../scoring/domain/lifecycle.js';
import { lifecycleStep } from '../../scoring/domain/lifecycle-step.js';
import { applyMembershipEffects, type MembershipWriter } from './effects.js';
import { type DeployedSegments, segmentStep } from './step.js';

type Event = { detailType: string; detail: unknown };
type Outbox = { events: Event[]; tombstones: string[]; memberRank?: number };

export interface ReevaluatePorts {
  profiles: {
    load(ids: string[]): Promise<Map<string, StoredProfile<unknown>>>;
    /** Conditional on the version read (false: someone else updated it). */
    save(stored: StoredProfile<unknown>, next: ScoringState, opts: { outbox: Outbox; rank?: { pk: string; key: number } }): Promise<boolean>;
    clearOutbox(profileId: string, version: number): Promise<void>;
  };
  memberships: MembershipWriter;
  publish(events: Event[]): Promise<void>;
}

export interface ReevaluateResult {
  /** Profiles evaluated. */
  evaluated: number;
  /** Profiles whose stored state changed. */
  updated: number;
  entered: number;
  exited: number;
  /** Profiles left alone: gone, merged, owing an update's effects, updated concurrently, or not due. */
  skipped: number;
}

export const emptyResult = (): ReevaluateResult => ({ evaluated: 0, updated: 0, entered: 0, exited: 0, skipped: 0 });

/** Re-evaluates `ids` at `now`; `dueOnly` skips profiles whose segmentsDue is later (a stale index read). */
export async function reevaluate(
  ids: readonly string[],
  deployed: DeployedSegments,
  now: Date,
  ports: ReevaluatePorts,
  opts: { dueOnly?: boolean; lifecycle?: LifecycleThresholds } = {},
): Promise<ReevaluateResult> {
  const result = emptyResult();
  const at = now.toISOString();
  const loaded = await ports.profiles.load([...ids]);
  for (const id of ids) {
    const stored = loaded.get(id);
    const s = stored?.state;
    if (!stored || !s || stored.version === 0 || stored.mergedInto || stored.outbox || (opts.dueOnly && (!s.segmentsDue || s.segmentsDue > at))) {
      result.skipped++;
      continue;
    }
    result.evaluated++;
    const next = structuredClone(s);
    const events: Event[] = [];
    if (opts.lifecycle && next.lifecycleDue && next.lifecycleDue <= at) {
      const change = lifecycleStep(next, at, at, opts.lifecycle);
      if (change) events.push(change);
    }
    const consent = (stored as { consent?: Consent }).consent;
    const segmentEvents = segmentStep(next, consent, deployed, [], now);
    events.push(...segmentEvents);
    if (events.length === 0 && sameStoredState(s, next)) continue;
    const outbox: Outbox = { events, tombstones: [], ...(stored.rank ? { memberRank: stored.rank.key } : {}) };
    if (!(await ports.profiles.save(stored, next, { outbox, ...(stored.rank ? { rank: stored.rank } : {}) }))) {
      result.skipped++;
      continue;
    }
    result.updated++;
    await applyMembershipEffects(id, outbox, ports.memberships);
    if (events.length > 0) {
      await ports.publish(events);
      await ports.profiles.clearOutbox(id, stored.version + 1);
    }
    for (const e of segmentEvents) result[e.detailType === 'segment.entered' ? 'entered' : 'exited']++;
  }
  return result;
}
