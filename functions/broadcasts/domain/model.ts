/**
 * Segment email (broadcasts): the broadcast document, its schedule forms, its state per member shard and
 * the limits, with the main table's key layout. Pure (no SDK).
 *
 * Items (main table, one partition per broadcast, so GET is one Query of 33 small items):
 * - broadcast: `bcast#<id>` / `bcast`      → Broadcast; listed through the byScore index
 *              (gsi1pk `broadcasts`, gsi1sk = created epoch ms), newest first, no scan.
 * - shard:     `bcast#<id>` / `shard#<nn>` → ShardState; every page commits it conditionally on the
 *              `pages` it started from, so a retried page neither double-counts nor skips.
 * - feedback:  `bcast#<id>` / `fb#<nn>`    → { opened, clicked, unsubscribed, bounced }: added in the same
 *              transaction that marks the send record's first open/click/unsubscribe/bounce.
 * - deferred:  `bcastdef#<id>#<shard>` / `<due ISO>#<profile id>` → a recipient to try again at `due`
 *              (quiet hours, a cap deferral, a local-time schedule not reached yet).
 */
import * as z from 'zod/mini';
import { deferReasons, skipReasons } from '../../sending/domain/contract.js';
import { isTimeZone } from '../../shared/zoned-time.js';

export const broadcastLimits = {
  /** Longest broadcast id (ids are generated: `b_` and 16 url-safe characters). */
  maxIdChars: 64,
  /** The soonest-to-latest an `at` or local-time schedule may lie ahead. */
  maxScheduleAheadDays: 60,
  /** How often a paused shard looks at the broadcast's status again (s). */
  pausePollSeconds: 60,
  /**
   * Longest single Wait of a shard (s): a deferred recipient due later is waited for in steps of this, so a
   * cancel is seen within it.
   */
  maxWaitSeconds: 900,
  /** A page is about this many seconds of the shard's share of the SES rate (at least 1 recipient). */
  targetPageSeconds: 10,
  /** Largest page of members one task reads (DynamoMembershipStore's maxMemberPage is 1000). */
  maxPageSize: 500,
  /** Sends one page task runs at once (its duration counts against the page's share of the rate). */
  sendConcurrency: 8,
  /**
   * Loops (page + choice + wait) one shard runs in one execution before the broadcast continues in a new
   * execution: a Standard execution holds 25,000 history events; a loop is about 9 of them, ×16 shards.
   */
  maxLoopsPerExecution: 120,
} as const;

export const broadcastStatuses = ['running', 'paused', 'cancelled', 'done'] as const;
export type BroadcastStatus = (typeof broadcastStatuses)[number];

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour (e.g. 09:00)'));
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'));

/** When to send: now, at an instant, or at a wall-clock time on a date in each recipient's time zone. */
export const scheduleSchema = z.union([
  z.literal('now'),
  z.strictObject({ at: z.iso.datetime({ offset: true }) }),
  z.strictObject({
    localTime: hhmm,
    date: isoDate,
    /** For recipients without a (valid) time zone; default: the configured default zone. */
    defaultTimeZone: z.optional(z.string().check(z.refine(isTimeZone, 'an IANA time zone, e.g. Europe/Berlin'))),
  }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

export const createBroadcastSchema = z.strictObject({
  segment: z.string().check(z.minLength(1), z.maxLength(64)),
  template: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'template ids are 1-64 chars of a-z, 0-9, _ and -')),
  schedule: z._default(scheduleSchema, 'now'),
  /** Over a cap: `skip` (default: the recipient had enough mail) or `defer` to when the window reopens. */
  capPolicy: z.optional(z.enum(['skip', 'defer'])),
  name: z.optional(z.string().check(z.maxLength(200))),
});
export type CreateBroadcast = z.infer<typeof createBroadcastSchema>;

export interface Broadcast {
  id: string;
  name?: string;
  segmentId: string;
  templateId: string;
  schedule: Schedule;
  capPolicy: 'skip' | 'defer';
  status: BroadcastStatus;
  /** The first send (now, `at`, or the earliest local time: the first zone to reach it). */
  startAt: string;
  /** SES sends per second the broadcast paces itself to (the whole broadcast, all shards). */
  ratePerSecond: number;
  /** The default zone for recipients without one, fixed at creation. */
  defaultTimeZone: string;
  createdAt: string;
  updatedAt: string;
  /** Members of the segment when the broadcast was created (progress is measured against it). */
  members: number;
  /** Executions started so far (continuations and restarts): the next one is named `<id>-<generation>`. */
  generation: number;
}

export type Counts = Record<string, number>;

/** One member shard's progress and results (what the page task commits). */
export interface ShardState {
  shard: number;
  /** Pages committed: the page task's commit is conditional on it. */
  pages: number;
  phase: 'members' | 'deferred' | 'done';
  /** Member page cursor of the next page (absent: start). */
  cursor?: string;
  /** Sort key of the last deferred entry processed. */
  deferredCursor?: string;
  targeted: number;
  sent: number;
  skipped: Counts;
  /** Waiting now for their time (quiet hours, cap, local time). */
  deferred: number;
  /** Deferred by reason, every time one was (a recipient deferred twice counts twice). */
  deferrals: Counts;
}

export const emptyShard = (shard: number): ShardState => ({ shard, pages: 0, phase: 'members', targeted: 0, sent: 0, skipped: {}, deferred: 0, deferrals: {} });

export const feedbackKinds = ['opened', 'clicked', 'unsubscribed', 'bounced'] as const;
export type FeedbackKind = (typeof feedbackKinds)[number];

export const knownSkipReasons = skipReasons;
export const deferralReasons = [...deferReasons, 'local-time'] as const;

// ---- keys ---------------------------------------------------------------------------------------------
export const broadcastPk = (id: string) => `bcast#${id}`;
export const broadcastSk = 'bcast';
export const shardSk = (shard: number) => `shard#${String(shard).padStart(2, '0')}`;
/** Feedback counter items per broadcast (spread so a burst of opens does not contend on one item). */
export const feedbackShards = 16;
export const feedbackSk = (n: number) => `fb#${String(n).padStart(2, '0')}`;
export const deferredPk = (id: string, shard: number) => `bcastdef#${id}#${shard}`;
export const deferredSk = (due: string, profileId: string) => `${due}#${profileId}`;
/** Partition of the byScore index that lists broadcasts, newest first. */
export const broadcastIndexPk = 'broadcasts';

/** The feedback counter item a send's feedback goes to (stable per send). */
export function feedbackShardOf(sendId: string): number {
  let h = 0;
  for (const c of sendId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % feedbackShards;
}

/** The idempotency key of a broadcast's sends: one send per broadcast and person, however often retried. */
export const broadcastIdempotencyKey = (id: string) => `broadcast#${id}`;
