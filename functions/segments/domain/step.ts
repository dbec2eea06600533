/**
 * One segments update of a profile, shared by the stream processor (after a batch's events), the
 * segments due sweep (at a time boundary) and a back-fill (a new or changed definition). Pure.
 *
 * It records this update's activity in the behaviour windows, evaluates every deployed segment, stores
 * the memberships and the next time boundary on the state, and answers the `segment.entered` /
 * `segment.exited` events owed. Evaluated twice at the same time with the same facts, it owes nothing the
 * second time (diff.ts), so a replay neither re-enters nor republishes.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { pathOf } from '../../scoring/domain/match.js';
import type { Consent, ScoringState } from '../../profiles/domain/profile.js';
import type { Activity } from '../../scenarios/domain/conditions.js';
import type { SegmentEntered, SegmentExited } from '../../shared/domain-events.js';
import { atomsWithPaths, type Segment } from './definition.js';
import { changeId, diffMemberships } from './diff.js';
import { evaluateSegments, type SegmentProfileView } from './evaluate.js';
import { evaluationOrder } from './graph.js';
import { recordActivity, type TrackedBehaviour, trackedBehaviours, windowTimes } from './windows.js';

/**
 * How long the stream processor keeps a read of the definitions (adapters/deployed-source.ts): a new or
 * changed segment applies to new events within this, and a back-fill starts only after it (backfill.ts),
 * so no processor evaluates a definition older than the one the back-fill evaluates.
 */
export const definitionsCacheMs = 10_000;

/** The deployed segments, ready for evaluation (built once per definitions read). */
export interface DeployedSegments {
  /** Referenced segments first (graph.ts). */
  ordered: Segment[];
  tracked: Map<string, TrackedBehaviour>;
  ids: Set<string>;
  /** Some segment reads the lifecycle state, which also changes by time alone (at `lifecycleDue`). */
  readsLifecycle: boolean;
}

export function deploySegments(segments: readonly Segment[]): DeployedSegments {
  const ordered = evaluationOrder(segments);
  const readsLifecycle = ordered.some((s) => atomsWithPaths(s.conditions).some(({ atom }) => 'field' in atom && atom.field === 'lifecycle'));
  return { ordered, tracked: trackedBehaviours(ordered), ids: new Set(ordered.map((s) => s.id)), readsLifecycle };
}

export type SegmentEventOut = { detailType: 'segment.entered'; detail: SegmentEntered } | { detailType: 'segment.exited'; detail: SegmentExited };

/** What segment conditions read of a stored profile. */
export function segmentView(state: ScoringState, consent: Consent | undefined): SegmentProfileView {
  return {
    stage: state.stage,
    known: state.known,
    traits: state.traits,
    score: { value: state.score.value, categories: state.score.categories },
    ...(state.lifecycle ? { lifecycle: state.lifecycle } : {}),
    ...(state.email ? { email: state.email } : {}),
    ...(state.timezone ? { timezone: state.timezone } : {}),
    ...(state.firstTouch ? { firstTouch: state.firstTouch } : {}),
    ...(state.lastTouch ? { lastTouch: state.lastTouch } : {}),
    ...(consent?.status ? { consent: { status: consent.status } } : {}),
  };
}

/** The segment events a change list owes, each with its stable id. */
function eventsOf(profileId: string, changes: ReturnType<typeof diffMemberships>): SegmentEventOut[] {
  return changes.map((c) =>
    c.type === 'segment.entered'
      ? { detailType: c.type, detail: { profileId, messageId: changeId(profileId, c), occurredAt: c.at, segmentId: c.segmentId } }
      : { detailType: c.type, detail: { profileId, messageId: changeId(profileId, c), occurredAt: c.at, segmentId: c.segmentId, since: c.since } },
  );
}

/**
 * Updates `state` (segments, segmentWindows, segmentsDue) for `activity` at `now` and answers the events
 * owed. Memberships of segments no longer deployed are dropped from the state without events (deleting a
 * definition removes its member items).
 */
export function segmentStep(state: ScoringState, consent: Consent | undefined, deployed: DeployedSegments, activity: readonly Activity[], now: Date): SegmentEventOut[] {
  // The latest business events the item keeps count too (recorded once: times are a set), so a behaviour
  // condition deployed today already sees the last orders and form submissions.
  const windows = recordActivity(state.segmentWindows, deployed.tracked, [...recentActivity(state), ...activity], now);
  if (Object.keys(windows).length > 0) state.segmentWindows = windows;
  else delete state.segmentWindows;

  const result = evaluateSegments(deployed.ordered, { profile: segmentView(state, consent), activity: [], windows: windowTimes(windows) }, now);
  const previous = new Map(Object.entries(state.segments ?? {}).filter(([id]) => deployed.ids.has(id)));
  const changes = diffMemberships(previous, result.memberships, now);
  for (const c of changes) {
    if (c.type === 'segment.entered') previous.set(c.segmentId, c.at);
    else previous.delete(c.segmentId);
  }
  if (previous.size > 0) state.segments = Object.fromEntries([...previous].sort(([a], [b]) => (a < b ? -1 : 1)));
  else delete state.segments;
  // A lifecycle state read by a segment changes by time at lifecycleDue: the segments sweep moves it then.
  const dues = [result.nextBoundary?.toISOString(), deployed.readsLifecycle ? state.lifecycleDue : undefined].filter((d): d is string => d !== undefined);
  if (dues.length > 0) state.segmentsDue = dues.sort()[0]!;
  else delete state.segmentsDue;
  return eventsOf(state.profileId, changes);
}

function recentActivity(state: ScoringState): Activity[] {
  return (state.recent ?? []).flatMap((e) =>
    e.type === 'track' && e.name ? [{ event: e.name, occurredAt: e.t, ...(e.path === undefined ? {} : { path: e.path }) }] : e.type === 'page' ? [{ event: 'Page Viewed', occurredAt: e.t, ...(e.path === undefined ? {} : { path: e.path }) }] : [],
  );
}

/** `segment.exited` for every membership of a profile merged away (its member items go; the survivor is evaluated anew). */
export function mergedAwayExits(merged: ScoringState, now: Date): SegmentEventOut[] {
  const at = now.toISOString();
  return Object.entries(merged.segments ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([segmentId, since]) => {
      const c = { type: 'segment.exited' as const, segmentId, at, since };
      return { detailType: c.type, detail: { profileId: merged.profileId, messageId: changeId(merged.profileId, c), occurredAt: at, segmentId, since } };
    });
}

/** Activity of a batch's events as behaviour conditions read it (page views with their path). */
export function activityOf(events: readonly CollectedEvent[]): Activity[] {
  return events.flatMap((e) => {
    const name = e.type === 'page' ? 'Page Viewed' : e.type === 'track' ? e.event : undefined;
    if (!name) return [];
    const path = pathOf(e);
    return [{ event: name, occurredAt: e.timestamp, ...(path === undefined ? {} : { path }) }];
  });
}
