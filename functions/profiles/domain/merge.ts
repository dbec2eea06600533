/**
 * Folding a merged profile into its survivor (README "Merges"). Pure. The profile's own parts move
 * here: identities, traits (the survivor's win), history and the list of merged profiles; how points
 * and rule counters combine is scoring's, passed in as `foldScores`.
 */
import { withinBounds } from './bounds.js';
import type { ScoringState } from './profile.js';
import { withTouch } from './touch.js';
import { writeTraits } from './traits.js';

/** Scoring's part of a merge: sets `merged`'s score, counters and stage from the two profiles. */
export type ScoreFold = (merged: ScoringState, survivor: ScoringState, other: ScoringState) => void;

const later = (a: string, b: string) => (a > b ? a : b);

/** The survivor with `other` folded in, within the profile bounds. Neither input is changed. */
export function mergeProfiles(survivor: ScoringState, other: ScoringState, foldScores: ScoreFold): ScoringState {
  const s = structuredClone(survivor);
  // Like any identify that is not the lead's own: the merged profile only fills in what the survivor lacks.
  s.traits = writeTraits(s.traits, other.traits, 'fill').traits;
  s.known = s.known || other.known;
  s.email ??= other.email;
  s.userId ??= other.userId;
  s.timezone ??= other.timezone;
  if (other.createdAt && (!s.createdAt || other.createdAt < s.createdAt)) s.createdAt = other.createdAt;
  if (other.lastSeenAt) s.lastSeenAt = s.lastSeenAt ? later(s.lastSeenAt, other.lastSeenAt) : other.lastSeenAt;
  s.seenEvents = [...new Set([...s.seenEvents, ...other.seenEvents])];
  s.recentIds = [...new Set([...s.recentIds, ...other.recentIds])];
  s.recent = [...s.recent, ...other.recent].sort((a, b) => (a.t < b.t ? -1 : 1));
  s.merged = [...new Set([...s.merged, other.profileId, ...other.merged])];
  s.anonymousIds = [...new Set([...s.anonymousIds, ...other.anonymousIds])];
  withTouch(s, other.firstTouch);
  withTouch(s, other.lastTouch);
  foldScores(s, survivor, other);
  return withinBounds(s);
}
