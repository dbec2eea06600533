/**
 * Membership of one person in segments, and when it could next change by time alone. Pure: the processor
 * gathers the facts (profile, activity history), this module decides.
 *
 * Time moves a result only through behaviour windows: a window counts the activity at or after
 * `now - within` (as scenario conditions do), so as time passes an activity leaves the count (at
 * `occurredAt + within + 1 ms`) and no activity enters it. A count therefore only falls, and an atom's
 * truth changes at most twice (above atMost → in range → below atLeast). Fields (score, stage, lifecycle,
 * consent) change only when the profile is written, which re-evaluates the person anyway. So the next
 * boundary is exact for a segment's own conditions; for a referenced segment it is that segment's boundary
 * (it could change then), and a sweep at a boundary that changes nothing simply schedules the next one.
 */
import {
  type Activity,
  activityMatches,
  behaviourHolds,
  type BehaviourCondition,
  fieldValue,
  matchesFilter,
  type ProfileView,
  windowStart,
} from '../../scenarios/domain/conditions.js';
import { durationSeconds } from '../../scenarios/domain/duration.js';
import { atomsWithPaths, isRef, type Segment, type SegmentAtom, type SegmentCondition } from './definition.js';
import { windowKey } from './windows.js';

/** What segment conditions read of a profile: the scenario view plus lifecycle and consent. */
export interface SegmentProfileView extends ProfileView {
  /** Lifecycle state (prospect, new, active, loyal, at_risk, churned), written by the lifecycle work. */
  lifecycle?: string;
  /** Marketing-mail consent as sending records it; `consent` conditions read its status. */
  consent?: { status?: string };
}

/** The facts of one person that segments are evaluated on. */
export interface PersonFacts {
  profile?: SegmentProfileView;
  /**
   * The person's activity, at least as far back as the longest window in force (order does not matter).
   * A history cut short (scenarioLimits.maxActivityItems) undercounts, as it does for scenarios.
   */
  activity: readonly Activity[];
  /**
   * Behaviour windows kept on the profile (windows.ts: key → event times in ms). When given, behaviour
   * conditions count these and `activity` is not read for them.
   */
  windows?: ReadonlyMap<string, readonly number[]>;
}

/** Facts for one segment: the person's, and the results of the segments it references. */
export interface SegmentFacts extends PersonFacts {
  /** Membership of referenced segments (evaluated before, in graph order); a missing one is false. */
  memberships: ReadonlyMap<string, boolean>;
  /** When a referenced segment could next change by time alone. */
  boundaries?: ReadonlyMap<string, Date>;
}

export interface Evaluation {
  member: boolean;
  /** The first time after `now` the result could change with no new event; undefined: never by time alone. */
  nextBoundary?: Date;
}

/** The value a segment field condition reads (`consent` is the consent status). */
export function segmentFieldValue(profile: SegmentProfileView | undefined, field: string): unknown {
  if (field === 'consent') return profile?.consent?.status;
  return fieldValue(profile, field);
}

function isBehaviour(a: SegmentAtom): a is BehaviourCondition {
  return 'did' in a;
}

/** Times (ms) of the activity a behaviour condition counts at `now`, oldest first. */
function countedTimes(c: BehaviourCondition, activity: readonly Activity[] | ReadonlyMap<string, readonly number[]>, now: Date): number[] {
  const from = windowStart(c, now);
  if (!Array.isArray(activity)) {
    const fromMs = Date.parse(from);
    return [...((activity as ReadonlyMap<string, readonly number[]>).get(windowKey(c)) ?? [])].filter((t) => t >= fromMs).sort((x, y) => x - y);
  }
  return (activity as readonly Activity[])
    .filter((a) => a.occurredAt >= from && activityMatches(c, a))
    .map((a) => Date.parse(a.occurredAt))
    .sort((x, y) => x - y);
}

/** How many activities a behaviour condition counts at `now`. */
export function countIn(c: BehaviourCondition, activity: readonly Activity[] | ReadonlyMap<string, readonly number[]>, now: Date): number {
  return countedTimes(c, activity, now).length;
}

/** The times after `now` at which a behaviour condition's truth flips by time alone (at most two). */
export function behaviourFlips(c: BehaviourCondition, activity: readonly Activity[] | ReadonlyMap<string, readonly number[]>, now: Date): Date[] {
  const times = countedTimes(c, activity, now);
  const windowMs = durationSeconds(c.within) * 1000;
  const flips: Date[] = [];
  let holds = behaviourHolds(c, times.length);
  for (let k = 0; k < times.length; k++) {
    if (times[k + 1] === times[k]) continue; // equal times leave the window together
    const after = behaviourHolds(c, times.length - k - 1);
    if (after !== holds) flips.push(new Date(times[k]! + windowMs + 1));
    holds = after;
  }
  return flips;
}

/** Combines leaf values (in atomsWithPaths order) through all/any/not; a list of conditions means all. */
function combine(conditions: readonly SegmentCondition[], value: (i: number) => boolean): boolean {
  let i = 0;
  const one = (c: SegmentCondition): boolean => {
    if ('all' in c) return c.all.map(one).every(Boolean);
    if ('any' in c) return c.any.map(one).some(Boolean);
    if ('not' in c) return !one(c.not);
    return value(i++);
  };
  // map, then reduce: every leaf consumes its index even after a false result.
  return conditions.map(one).every(Boolean);
}

function atomValue(atom: SegmentAtom, facts: SegmentFacts, now: Date): boolean {
  if (isRef(atom)) return facts.memberships.get(atom.segment) ?? false;
  if (isBehaviour(atom)) return behaviourHolds(atom, countIn(atom, facts.windows ?? facts.activity, now));
  const { field, ...ops } = atom;
  return matchesFilter(ops, segmentFieldValue(facts.profile, field));
}

/** Whether the person is in the segment at `now`, and when that could next change by time alone. */
export function evaluateSegment(segment: Segment, facts: SegmentFacts, now: Date): Evaluation {
  const atoms = atomsWithPaths(segment.conditions).map(({ atom }) => atom);
  const values = atoms.map((a) => atomValue(a, facts, now));
  const member = combine(segment.conditions, (i) => values[i]!);

  const flips = atoms.map((a) => (isBehaviour(a) ? behaviourFlips(a, facts.windows ?? facts.activity, now).map((d) => d.getTime()) : []));
  const refTimes = atoms.flatMap((a) => (isRef(a) && facts.boundaries?.get(a.segment) ? [facts.boundaries.get(a.segment)!.getTime()] : []));
  const candidates = [...new Set([...flips.flat(), ...refTimes])].sort((x, y) => x - y);
  for (const t of candidates) {
    if (refTimes.includes(t)) return { member, nextBoundary: new Date(t) };
    const at = (i: number) => (flips[i]!.filter((f) => f <= t).length % 2 === 1 ? !values[i] : values[i]!);
    if (combine(segment.conditions, at) !== member) return { member, nextBoundary: new Date(t) };
  }
  return { member };
}

/** When the person's membership of `segment` could next change by time alone (undefined: never). */
export function nextBoundary(segment: Segment, facts: SegmentFacts, now: Date): Date | undefined {
  return evaluateSegment(segment, facts, now).nextBoundary;
}

/** Every segment, in evaluation order (graph.ts), for one person. */
export interface PersonEvaluation {
  memberships: Map<string, boolean>;
  /** Per segment that could change by time alone, when. */
  boundaries: Map<string, Date>;
  /** The earliest boundary: when the sweep should look at this person again (undefined: no need). */
  nextBoundary?: Date;
}

/** Evaluates `ordered` (referenced segments first) for one person at `now`. */
export function evaluateSegments(ordered: readonly Segment[], facts: PersonFacts, now: Date): PersonEvaluation {
  const memberships = new Map<string, boolean>();
  const boundaries = new Map<string, Date>();
  let next: Date | undefined;
  for (const s of ordered) {
    const e = evaluateSegment(s, { ...facts, memberships, boundaries }, now);
    memberships.set(s.id, e.member);
    if (e.nextBoundary) {
      boundaries.set(s.id, e.nextBoundary);
      if (!next || e.nextBoundary < next) next = e.nextBoundary;
    }
  }
  return { memberships, boundaries, ...(next ? { nextBoundary: next } : {}) };
}

/**
 * The conditions of each segment that make it change with time alone, by field path: behaviour windows,
 * and references to segments that have such conditions. A segment with none is never swept.
 */
export function timeDependence(ordered: readonly Segment[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of ordered) {
    const paths = atomsWithPaths(s.conditions).flatMap(({ atom, path }) =>
      isBehaviour(atom) ? [path] : isRef(atom) && (out.get(atom.segment)?.length ?? 0) > 0 ? [`${path}.segment`] : [],
    );
    out.set(s.id, paths);
  }
  return out;
}
