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

/**
 * Whole seconds to wait after a page that sent `sent` mails in `elapsedMs`: what the shard's share of the
 * rate needs for them, less the time already spent, rounded up (never faster than the rate).
 */
export function waitSeconds(sent: number, ratePerSecond: number, shards: number, elapsedMs: number): number {
  if (sent <= 0) return 0;
  const needed = sent / shardRate(ratePerSecond, shards) - elapsedMs / 1000;
  return Math.max(0, Math.ceil(needed - 1e-9));
}
