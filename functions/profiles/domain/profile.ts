/**
 * The stored profile: one person (or one anonymous browser until identified), one DynamoDB item
 * `p#<profileId>` / `profile`. This module is its one description: the item's shape, its keys and what
 * it may hold at most. Every other shape of a profile is a view derived from ProfileItem.
 *
 * Writers update their own attributes with UpdateItem SET/ADD, never by replacing the item:
 * - the stream processor (scoring, through profiles/adapters/profile-store.ts): the ProcessorAttributes,
 *   the ranking index keys and its bookkeeping (`v`, shard checkpoints `ck_<shard>`, `outbox`); the daily
 *   lifecycle sweep (scoring/domain/lifecycle-sweep.ts) writes the same way, under the same version check;
 * - sending: `consent`, `subscriptions`;
 * - scenarios: `waitingFor`, and `traits.<name>` / `stage` from an update step (operator-authored);
 * - a merge leaves only a tombstone `{profileId, mergedInto}` behind; readers follow it (merge-chain.ts).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Touch } from './touch.js';

export const stages = ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant'] as const;
export type Stage = (typeof stages)[number];

/** Customer lifecycle states (scoring/domain/lifecycle.ts computes them; defined here with the item's shape). */
export const lifecycleStates = ['prospect', 'new', 'active', 'loyal', 'at_risk', 'churned'] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

/** What the profile keeps of a person's orders (attribute `purchases`; scoring/domain/lifecycle.ts withOrder). */
export interface PurchaseSummary {
  /** Orders counted. */
  orders: number;
  /** Time of the earliest counted order (ISO). */
  firstAt: string;
  /** Time of the latest counted order (ISO). */
  lastAt: string;
  /** Revenue of the counted orders. */
  revenue: number;
  /** The latest ordersKept counted orders as [idKey(order id), ISO time], oldest first. */
  recent: [string, string][];
}

/** The score as every reader sees it. */
export interface ScoreSummary {
  /** Behaviour points at `asOf` (decayed up to then). */
  value: number;
  /** ISO time the value was computed for. */
  asOf: string;
  /** Fit (attribute) points: not decayed, recomputed from traits. */
  fit: number;
  /** Behaviour points by interest category at `asOf`. */
  categories: Record<string, number>;
}

/** The stored score with its explanation. */
export interface ScoreBreakdown extends ScoreSummary {
  /** Behaviour points by rule at `asOf`. */
  rules: Record<string, number>;
  /** Fit points by rule. */
  fitRules: Record<string, number>;
}

/** One line of a profile's activity history, with the points it earned and why. */
export interface ActivityEntry {
  /** messageId */
  id: string;
  /** Event time (ISO). */
  t: string;
  type: string;
  /** Event or page name (at most maxEntryNameChars). */
  name?: string;
  /** Page path (at most maxEntryPathChars). */
  path?: string;
  /** Points earned: [ruleId, points] pairs. */
  pts?: [string, number][];
  /** Properties (track) or traits (identify), kept when small, so enrollment can test a goal's `where`. */
  data?: Record<string, unknown>;
}

export interface Consent {
  status: 'granted' | 'revoked';
  source: string;
  at: string;
}

/** The stored profile item (without its key attributes). */
export interface ProfileItem {
  profileId: string;
  createdAt?: string;
  updatedAt?: string;
  /**
   * Time of the latest event (drives dormancy), moved forward only in steps of lastSeenStepMs so that
   * a busy session does not rewrite the item (and its index entry) for this alone.
   */
  lastSeenAt?: string;
  /** Set once the profile has a user id or email. */
  known: boolean;
  userId?: string;
  /** Normalized email address, if known. */
  email?: string;
  /** IANA time zone from traits.timezone or the browser's context.timezone. */
  timezone?: string;
  /** Traits, within traitBounds (see domain/traits.ts for who may change which). */
  traits: Record<string, unknown>;
  stage: Stage;
  /** The stage to return to when a dormant lead becomes active again. */
  stageBeforeDormant?: Stage;
  score: ScoreBreakdown;
  /** Per-rule limit counters. */
  limits: Record<string, { day: string; today: number; ever: number }>;
  /** Per-rule repeat windows. */
  repeats: Record<string, { times: string[]; firedAt?: string }>;
  /** Names of track events ever seen (the latest seenEventsKept), for `unless` conditions. */
  seenEvents: string[];
  /** Short hashes (idKey) of the latest recentIdsKept message ids: duplicates never count twice. */
  recentIds: string[];
  /**
   * The latest recentActivityKept business events (track events other than heartbeats, identifies) of
   * updates that were stored, for scenarios to check without waiting for the lake. The event lake keeps
   * the whole history, page views included (items written before the lake kept older entries in archive
   * items, which readers still read).
   */
  recent: ActivityEntry[];
  /** Profiles merged into this one, latest mergedKept. */
  merged: string[];
  /** Anonymous ids (browsers, devices) seen for this profile, latest anonymousIdsKept, latest last. */
  anonymousIds: string[];
  /** Where the person first came from (domain/touch.ts). */
  firstTouch?: Touch;
  /** The latest campaign or referring site that brought them. */
  lastTouch?: Touch;
  rulesVersion?: number;
  /** The person's counted orders (absent until the first customer event). */
  purchases?: PurchaseSummary;
  /** Customer lifecycle state (absent: prospect). */
  lifecycle?: LifecycleState;
  /** When the lifecycle state began (ISO). */
  lifecycleSince?: string;
  /**
   * When the lifecycle state next changes by time alone (ISO; absent when it never will): the sort key of
   * the sparse `byLifecycleDue` index, through which the daily sweep finds the people due.
   */
  lifecycleDue?: string;
  /** Segments the person is in: segment id → when they entered (ISO). Member items mirror it. */
  segments?: Record<string, string>;
  /** Behaviour windows segments read (functions/segments/domain/windows.ts): key → event times (ms). */
  segmentWindows?: Record<string, number[]>;
  /**
   * When a segment membership next changes by time alone (ISO; absent: never): the sort key of the sparse
   * `bySegmentsDue` index, through which the segments sweep finds the people due.
   */
  segmentsDue?: string;
  /** When merged into another profile: the survivor. Reads follow it. */
  mergedInto?: string;
  /** Marketing-mail consent (owned by sending). */
  consent?: Consent;
  /** Per-category subscription preferences (owned by sending); absent category = subscribed. */
  subscriptions?: Record<string, boolean>;
  /** Event names this profile's running scenarios wait for (owned by scenarios). */
  waitingFor?: ReadonlySet<string>;
}

/** The attributes the stream processor owns and writes together in one conditional update. */
export const processorAttributes = [
  'profileId',
  'createdAt',
  'lastSeenAt',
  'known',
  'userId',
  'email',
  'timezone',
  'traits',
  'stage',
  'stageBeforeDormant',
  'score',
  'limits',
  'repeats',
  'seenEvents',
  'recentIds',
  'recent',
  'merged',
  'anonymousIds',
  'firstTouch',
  'lastTouch',
  'rulesVersion',
  'purchases',
  'lifecycle',
  'lifecycleSince',
  'lifecycleDue',
  'segments',
  'segmentWindows',
  'segmentsDue',
] as const satisfies readonly (keyof ProfileItem)[];

/** Scoring's view: what the stream processor reads, computes and writes back. */
export type ScoringState = Pick<ProfileItem, (typeof processorAttributes)[number]>;

/** The view every other reader (sending, scenarios, the admin API) works with. */
export type Profile = Pick<
  ProfileItem,
  'profileId' | 'createdAt' | 'updatedAt' | 'lastSeenAt' | 'known' | 'userId' | 'email' | 'timezone' | 'traits' | 'stage' | 'mergedInto' | 'consent' | 'subscriptions' | 'firstTouch' | 'lastTouch'
> & { score: ScoreSummary };

/** A profile item as the processor loads it: its state and the bookkeeping of its conditional update. */
export interface StoredProfile<Outbox = unknown> {
  state: ScoringState;
  /** Version of the item (0: no item yet); every processor update checks and increments it. */
  version: number;
  /** Last sequence number applied per Kinesis shard. */
  checkpoints: Record<string, string>;
  mergedInto?: string;
  /** Effects owed by the last update (published after it was stored). */
  outbox?: Outbox;
  waitingFor?: ReadonlySet<string>;
  /** Marketing-mail consent as sending stored it (read only: segments' `consent` conditions). */
  consent?: Consent;
  /** The item's ranking index entry as stored (gsi1pk / gsi1sk), if it has one. */
  rank?: { pk: string; key: number };
}

/** Attributes that change with every event without changing anything a reader acts on. */
const bookkeeping = new Set<string>(['recent', 'recentIds']);

/**
 * True when `next` differs from `stored` only in bookkeeping (its recent activity and duplicate window):
 * an update that would change nothing a reader acts on, which the processor does not write at all.
 */
export function sameStoredState(stored: ScoringState, next: ScoringState): boolean {
  for (const f of processorAttributes) {
    if (bookkeeping.has(f)) continue;
    if (!isDeepStrictEqual(stored[f], next[f])) return false;
  }
  return true;
}

// --- keys ------------------------------------------------------------------------------------------

export function profilePk(profileId: string): string {
  return `p#${profileId}`;
}

export const profileSk = 'profile';

/** Sort keys of archive items (activity that left the profile item before the lake existed) begin with this. */
export const archivePrefix = 'a#';

/** Archive item key: derived from its first entry, so a replayed archive write overwrites itself. */
export function archiveSk(first: Pick<ActivityEntry, 't' | 'id'>): string {
  return `${archivePrefix}${first.t}#${first.id}`;
}

/** The ranking index spreads each stage over this many partitions (each takes ~1,000 writes/s). */
export const rankShards = 8;

export function rankPartition(stage: string, profileId: string): string {
  const shard = createHash('sha1').update(profileId).digest()[0]! % rankShards;
  return `rank#${stage}#${shard}`;
}

/**
 * Anonymous visitors enter the ranking index only from this many behaviour points on: most traffic is
 * anonymous and earns a few points, and every index entry written is billed. Known leads are always
 * ranked. (Anonymous visitors below it are still scored; they are just not listed among hot leads.)
 */
export const anonymousRankMinPoints = 10;

/** Whether a profile has a ranking index entry. */
export function ranked(state: Pick<ScoringState, 'known' | 'score'>): boolean {
  return state.known || state.score.value >= anonymousRankMinPoints;
}

/**
 * Steps per doubling of the score in which the ranking index stores its key: an entry is rewritten only
 * when the score moves by about 2.2% or more (a step), since DynamoDB bills every index rewrite. Leads
 * whose scores lie within one step of each other may list in either order, and the list shows their
 * scores to within ±1.1%; the profile itself always has the exact score.
 */
export const rankKeySteps = 32;

/** The stored ranking key: the exact key (scoring/domain/decay.ts rankKey) on the step grid. */
export function quantizedRankKey(key: number): number {
  return Math.round(key * rankKeySteps) / rankKeySteps;
}

export function rankPartitionOf(stage: string, shard: number): string {
  return `rank#${stage}#${shard}`;
}

/** The lifecycle due index spreads its entries over this many partitions, like the ranking index. */
export const dueShards = 8;

/** Partition key (gsi2pk) of a customer's entry in the lifecycle due index. */
export function duePartition(profileId: string): string {
  return duePartitionOf(createHash('sha1').update(profileId).digest()[0]! % dueShards);
}

export function duePartitionOf(shard: number): string {
  return `due#${shard}`;
}

/**
 * What the duplicate window stores per message: 36 bits of its id's SHA-1 (6 characters, not a 36-byte
 * UUID), so 24 of them cost ~0.2 KB of the item. A message is wrongly taken for a duplicate with odds of
 * 24 in 2^36 (one in three billion), far below any other loss.
 */
export function idKey(messageId: string): string {
  return createHash('sha1').update(messageId).digest('base64url').slice(0, 6);
}

// --- bounds: what one profile item may hold (README "What a profile holds") --------------------------
// DynamoDB refuses items over 400 KB, and a refused update leaves a lead that can never change again;
// every write is also billed per started KB. Everything a client can grow is bounded here.

/**
 * Duplicate messageIds are recognized among a profile's latest this-many messages. Client duplicates (a
 * retried beacon) arrive within seconds of each other; redelivered stream records are caught by the
 * shard checkpoints, not by this window.
 */
export const recentIdsKept = 24;
/**
 * Activity entries kept on the profile item; older ones are read from the event lake. The item is
 * rewritten on every update and DynamoDB bills writes per started KB, so it is kept small: it holds
 * business events only (no page views or heartbeats), each with its properties only when small.
 */
export const recentActivityKept = 5;
/** Largest properties/traits object kept on an activity entry (JSON bytes); larger ones are left out. */
export const activityDataBytes = 256;
/** The profile item's lastSeenAt moves forward in steps of this (the lake has every event's time). */
export const lastSeenStepMs = 3_600_000;
/** Longest event/page name kept on an activity entry (ingest's own limit for names). */
export const maxEntryNameChars = 256;
/** Longest page path kept on an activity entry (`properties.path` is otherwise bounded only by 32 KB). */
export const maxEntryPathChars = 1024;
/** Rule explanations kept on one activity entry (the score's breakdown by rule stays complete). */
export const maxEntryPoints = 20;
/** Distinct track event names remembered per profile for `unless` conditions. */
export const seenEventsKept = 100;
/** Anonymous ids remembered per profile. */
export const anonymousIdsKept = 20;
/** Merged profile ids remembered (for their archived history); the oldest are forgotten first. */
export const mergedKept = 50;

/** Traits: anyone who knows a lead's email can send traits with the public write key, so they are bounded. */
export const traitBounds = {
  /** Most traits one profile holds. */
  maxTraits: 100,
  /** Longest trait name. */
  maxNameChars: 128,
  /** Largest single trait value, as JSON (an address object fits; a pasted document does not). */
  maxValueBytes: 1024,
  /** Largest traits object in total, as JSON. */
  maxTotalBytes: 16 * 1024,
} as const;

/**
 * What DynamoDB can store of a value that came from the internet (a trait, an activity entry's data):
 * numbers of magnitude 0 or from 1e-130 up to (not including) 1e126, nesting within an item of at most 32
 * levels, map keys of at least one character. A value outside these is not stored (a trait is refused
 * like one over its bound; an activity entry keeps no data), so the update that carries it still applies.
 */
export const storedValueBounds = {
  minMagnitude: 1e-130,
  maxMagnitude: 1e126,
  /** Levels below the value itself: traits and activity data sit 1-3 levels deep in an item, so 16 more stays far within 32. */
  maxNesting: 16,
} as const;

/**
 * The most a profile item weighs with every bound above full (ids and names at ingest's maxima), a rules
 * document at its maxima (200 rules, repeat windows adding up to 500) and a full outbox (the processor
 * stores one of at most 32 KB with an update): about 185 KB, under half of DynamoDB's 400 KB. With the
 * default rules the same content weighs about 110 KB. Tests hold the processor to it.
 */
export const profileItemBudgetBytes = 192 * 1024;

/** A profile the processor has never written. */
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
