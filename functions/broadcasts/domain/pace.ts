/**
 * Pacing: each of the memberShards shards sends at rate / shards, so the whole broadcast stays within the
 * configured SES sending rate. A page task never sleeps: it answers how long the shard's Wait state waits
 * before the next page, from the mails it actually sent (a skipped recipient costs no rate) and the time
 * the page itself took. Pure.
 */
import { broadcastLimits } from './model.js';

/** A shard's share of the rate (mails per second). */
export function shardRate(ratePerSecond: number, shards: number): number {
  return ratePerSecond / shards;
}

/** Recipients a page reads: about targetPageSeconds of the shard's rate, at least 1, at most maxPageSize. */
export function pageSize(ratePerSecond: number, shards: number): number {
  return Math.max(1, Math.min(broadcastLimits.maxPageSize, Math.floor(shardRate(ratePerSecond, shards) * broadcastLimits.targetPageSeconds)));
}

/** The most waited-too-long time (s) carried to the next page's wait (so idle pages cannot bank a burst). */
export const maxCarrySeconds = 1;

/**
 * Whole seconds to wait after a page that sent `sent` mails in `elapsedMs`: what the shard's share of the
 * rate needs for them, less the time already spent, rounded up (never faster than the rate). `carry` (≤ 0)
 * is the previous wait's rounding up, which this one gives back (at most maxCarrySeconds), so whole-second
 * waits cost no rate on average; the answer's `carry` goes to the next page.
 */
export function pace(sent: number, ratePerSecond: number, shards: number, elapsedMs: number, carry = 0): { waitSeconds: number; carry: number } {
  const needed = (sent > 0 ? sent / shardRate(ratePerSecond, shards) : 0) - elapsedMs / 1000 + Math.max(-maxCarrySeconds, Math.min(0, carry));
  const wait = Math.max(0, Math.ceil(needed - 1e-9));
  return { waitSeconds: wait, carry: Math.max(-maxCarrySeconds, Math.min(0, needed - wait)) };
}

/** pace() without carry: the wait alone. */
export function waitSeconds(sent: number, ratePerSecond: number, shards: number, elapsedMs: number): number {
  return pace(sent, ratePerSecond, shards, elapsedMs).waitSeconds;
}
