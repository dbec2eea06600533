/**
 * Keeps a profile within the bounds of profile.ts. Pure. The stream processor applies withinBounds to
 * every state it stores, so no sequence of events (nor an item written before a bound existed) can grow
 * a profile item past profileItemBudgetBytes.
 */
import {
  type ActivityEntry,
  anonymousIdsKept,
  maxEntryNameChars,
  maxEntryPoints,
  maxEntryPathChars,
  mergedKept,
  recentIdsKept,
  type ScoringState,
  seenEventsKept,
} from './profile.js';
import { boundTraits } from './traits.js';

/** An activity entry with its name, path and rule explanations cut to the entry bounds. */
export function boundEntry(entry: ActivityEntry): ActivityEntry {
  const out = { ...entry };
  if (out.name !== undefined && out.name.length > maxEntryNameChars) out.name = out.name.slice(0, maxEntryNameChars);
  if (out.path !== undefined && out.path.length > maxEntryPathChars) out.path = out.path.slice(0, maxEntryPathChars);
  if (out.pts !== undefined && out.pts.length > maxEntryPoints) out.pts = out.pts.slice(0, maxEntryPoints);
  return out;
}

/** The latest `n` items of a list kept latest last (all of it when shorter). */
export function latest<T>(list: readonly T[], n: number): T[] {
  return list.length > n ? list.slice(-n) : [...list];
}

/**
 * The state with every list cut to its bound and traits within traitBounds. Recent activity is cut by
 * the processor itself (the overflow moves to an archive item, it is not dropped).
 */
export function withinBounds(state: ScoringState): ScoringState {
  state.traits = boundTraits(state.traits);
  state.seenEvents = latest(state.seenEvents, seenEventsKept);
  state.recentIds = latest(state.recentIds, recentIdsKept);
  state.anonymousIds = latest(state.anonymousIds, anonymousIdsKept);
  state.merged = latest(state.merged, mergedKept);
  state.recent = state.recent.map(boundEntry);
  return state;
}
