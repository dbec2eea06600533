/**
 * Behaviour windows kept on the profile item, so the processor and the sweeps evaluate "did X n times in
 * the last d" without reading history. Pure.
 *
 * Every behaviour condition of the deployed segments is tracked under a key of its event and page path;
 * a key keeps the times (epoch ms) of the newest matching events within the longest window that
 * reads it, at most as many as its most demanding count needs (`atLeast n` needs the newest n, `atMost m`
 * the newest m + 1): a truncated list decides every condition exactly as the whole history would, and
 * says exactly when each condition flips as events age out. A condition added later starts counting
 * from its deployment (the back-fill evaluates the windows as they stand).
 */
import { createHash } from 'node:crypto';
import { type Activity, activityMatches, type BehaviourCondition } from '../../scenarios/domain/conditions.js';
import { durationSeconds } from '../../scenarios/domain/duration.js';
import { atomsWithPaths, type Segment, segmentLimits } from './definition.js';

/** A profile's windows: key → event times (epoch ms), oldest first. */
export type Windows = Record<string, number[]>;

export interface TrackedBehaviour {
  did: string;
  path?: string;
  /** Seconds the longest window reading this key spans. */
  horizon: number;
  /** Newest times kept. */
  keep: number;
}

/** The key of a behaviour condition's event and path: 8 characters, so a profile item stays small. */
export function windowKey(c: Pick<BehaviourCondition, 'did' | 'path'>): string {
  return createHash('sha1').update(`${c.did}\u0000${c.path ?? ''}`).digest('base64url').slice(0, 8);
}

/** Times a condition needs kept to decide it exactly. */
export function keepFor(c: BehaviourCondition): number {
  const atLeast = c.atLeast ?? (c.atMost === undefined ? 1 : 0);
  return Math.min(segmentLimits.maxBehaviourCount + 1, Math.max(atLeast, c.atMost === undefined ? 0 : c.atMost + 1, 1));
}

/** Every key the segments read, with its horizon and how many times it keeps. */
export function trackedBehaviours(segments: readonly Segment[]): Map<string, TrackedBehaviour> {
  const out = new Map<string, TrackedBehaviour>();
  for (const s of segments) {
    for (const { atom } of atomsWithPaths(s.conditions)) {
      if (!('did' in atom)) continue;
      const key = windowKey(atom);
      const had = out.get(key);
      const horizon = durationSeconds(atom.within);
      out.set(key, {
        did: atom.did,
        ...(atom.path === undefined ? {} : { path: atom.path }),
        horizon: Math.max(horizon, had?.horizon ?? 0),
        keep: Math.max(keepFor(atom), had?.keep ?? 0),
      });
    }
  }
  return out;
}


/**
 * The windows after `activity` (this update's events) at `now`: matching events added, times out of every
 * window dropped, each key cut to its newest `keep`, keys no segment reads removed. Answers a new object;
 * an event already recorded (same key, same millisecond) is not added twice, so a replay changes nothing.
 */
export function recordActivity(windows: Windows | undefined, tracked: ReadonlyMap<string, TrackedBehaviour>, activity: readonly Activity[], now: Date): Windows {
  const out: Windows = {};
  const nowMs = now.getTime();
  for (const [key, t] of tracked) {
    const times = new Set(windows?.[key] ?? []);
    for (const a of activity) if (activityMatches({ did: t.did, ...(t.path === undefined ? {} : { path: t.path }), within: '0s' }, a)) times.add(Date.parse(a.occurredAt));
    const kept = [...times].filter((s) => Number.isFinite(s) && s >= nowMs - t.horizon * 1000).sort((x, y) => x - y).slice(-t.keep);
    if (kept.length > 0) out[key] = kept;
  }
  return out;
}

/** The windows as evaluation reads them. */
export function windowTimes(windows: Windows | undefined): Map<string, number[]> {
  return new Map(Object.entries(windows ?? {}));
}
