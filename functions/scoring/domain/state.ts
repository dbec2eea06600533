import { createHash } from 'node:crypto';
import type { Stage } from '../../identity/domain/profile.js';

/** One line of a profile's activity history, with the points it earned and why. */
export interface ActivityEntry {
  /** messageId */
  id: string;
  /** Event time (ISO). */
  t: string;
  type: string;
  /** Event or page name. */
  name?: string;
  path?: string;
  /** Points earned: [ruleId, points] pairs. */
  pts?: [string, number][];
  /** Properties (track/page) or traits (identify), kept when small, so a back-test can replay them. */
  data?: Record<string, unknown>;
}

/** Largest properties/traits object kept on an activity entry (JSON bytes); larger ones are left out. */
export const activityDataBytes = 256;

export interface ScoreBreakdown {
  /** Behaviour points at `asOf` (decayed up to then). */
  value: number;
  asOf: string;
  /** Fit (attribute) points: not decayed, recomputed from traits. */
  fit: number;
  /** Behaviour points by interest category at `asOf`. */
  categories: Record<string, number>;
  /** Behaviour points by rule at `asOf`. */
  rules: Record<string, number>;
  /** Fit points by rule. */
  fitRules: Record<string, number>;
}

/** Everything the stream processor keeps for a profile (the profile item's processor-owned attributes). */
export interface ScoringState {
  profileId: string;
  createdAt?: string;
  lastSeenAt?: string;
  known: boolean;
  userId?: string;
  email?: string;
  timezone?: string;
  traits: Record<string, unknown>;
  stage: Stage;
  /** The stage to return to when a dormant lead becomes active again. */
  stageBeforeDormant?: Stage;
  score: ScoreBreakdown;
  /** Per-rule limit counters. */
  limits: Record<string, { day: string; today: number; ever: number }>;
  /** Per-rule repeat windows. */
  repeats: Record<string, { times: string[]; firedAt?: string }>;
  /** Names of track events ever seen (bounded), for `unless` conditions. */
  seenEvents: string[];
  /** Short hashes of the latest message ids applied (bounded): duplicates within this window never count twice. */
  recentIds: string[];
  /** The latest activity (bounded); older entries move to archive items. */
  recent: ActivityEntry[];
  /** Profiles merged into this one (their archived history stays under their own id). */
  merged: string[];
  /** Anonymous ids (browsers, devices) seen for this profile, latest last (bounded). */
  anonymousIds: string[];
  rulesVersion?: number;
}

/** Duplicate messageIds are recognized among a profile's latest this-many messages. */
export const recentIdsKept = 64;
/**
 * Activity entries kept on the profile item before the oldest move to an archive item. The profile item
 * is rewritten on every update and DynamoDB bills writes per started KB, so it is kept small.
 */
export const recentActivityKept = 15;

/**
 * What the duplicate window stores per message: 48 bits of its id's SHA-1 (8 characters, not a 36-byte
 * UUID), so 64 of them cost ~0.7 KB of the item instead of ~2.6 KB. A collision needs ~2^24 messages of
 * one profile, far beyond the 64 compared.
 */
export function idKey(messageId: string): string {
  return createHash('sha1').update(messageId).digest('base64url').slice(0, 8);
}
/** Distinct track event names remembered per profile for `unless` conditions. */
export const seenEventsKept = 100;
/** Anonymous ids remembered per profile. */
export const anonymousIdsKept = 20;

export function emptyState(profileId: string): ScoringState {
  return {
    profileId,
    known: false,
    traits: {},
    stage: 'anonymous',
    score: { value: 0, asOf: new Date(0).toISOString(), fit: 0, categories: {}, rules: {}, fitRules: {} },
    limits: {},
    repeats: {},
    seenEvents: [],
    recentIds: [],
    recent: [],
    merged: [],
    anonymousIds: [],
  };
}
