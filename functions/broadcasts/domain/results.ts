/**
 * A broadcast's progress and results, folded from its shard items and feedback counters. Pure.
 */
import { memberShards } from '../../segments/domain/membership.js';
import { type Broadcast, type Counts, type FeedbackKind, feedbackKinds, type ShardState } from './model.js';

export interface BroadcastResults {
  targeted: number;
  sent: number;
  skipped: { total: number; byReason: Counts };
  /** Waiting now for their time (quiet hours, a cap deferral, a local time not reached). */
  deferred: number;
  deferrals: Counts;
  opened: number;
  clicked: number;
  unsubscribed: number;
  bounced: number;
}

export interface BroadcastProgress {
  /** Shards past their member pages, and fully done (no deferred recipient left). */
  shardsPaged: number;
  shardsDone: number;
  shards: number;
  /** Members when the broadcast was created (the segment's count then); 0 when unknown. */
  members: number;
  /** targeted / members, 0–1. */
  fraction: number;
}

const add = (into: Counts, from: Counts) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** Sums the shard states and feedback counters. */
export function foldResults(shards: readonly ShardState[], feedback: readonly Partial<Record<FeedbackKind, number>>[]): BroadcastResults {
  const byReason: Counts = {};
  const deferrals: Counts = {};
  const r = { targeted: 0, sent: 0, deferred: 0 };
  for (const s of shards) {
    r.targeted += s.targeted;
    r.sent += s.sent;
    r.deferred += s.deferred;
    add(byReason, s.skipped);
    add(deferrals, s.deferrals);
  }
  const fb = Object.fromEntries(feedbackKinds.map((k) => [k, feedback.reduce((n, f) => n + (f[k] ?? 0), 0)])) as Record<FeedbackKind, number>;
  return { ...r, skipped: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason }, deferrals, ...fb };
}

export function progressOf(shards: readonly ShardState[], members: number, targeted: number): BroadcastProgress {
  return {
    shardsPaged: shards.filter((s) => s.phase !== 'members').length,
    shardsDone: shards.filter((s) => s.phase === 'done').length,
    shards: memberShards,
    members,
    fraction: members > 0 ? Math.min(1, targeted / members) : shards.filter((s) => s.phase !== 'members').length / memberShards,
  };
}

/** What GET answers for a broadcast: `scheduled` while its start is ahead and nothing was sent. */
export function displayStatus(b: Broadcast, shards: readonly ShardState[], now: Date): string {
  if (b.status === 'running' && Date.parse(b.startAt) > now.getTime() && shards.every((s) => s.pages === 0)) return 'scheduled';
  return b.status;
}
