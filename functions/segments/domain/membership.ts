/**
 * Where segment membership lives in the main table, and how it is partitioned. Pure (keys and limits).
 *
 * - member:  `seg#<segment id>#<shard>` / `<profile id>` → { profileId, segmentId, enteredAt, segRank? }
 *   One item per member. `memberShards` partitions per segment spread a million members over partitions
 *   that page in parallel (a broadcast's Map, an export). `segRank` is the member's ranking key (the
 *   profile's `gsi1sk`, a decayed score on a log scale: scoring/domain/decay.ts) while the person is
 *   ranked; the sparse `bySegmentRank` index (pk, segRank) pages a shard's members by score.
 * - counter: `segcount#<segment id>` / `<shard>` → { members } — one per shard, changed in the same
 *   transaction as the member item, so a count is one Query of `memberShards` small items: O(1).
 * - A profile keeps its own memberships (`segments`: id → enteredAt) on its item, so the processor diffs
 *   without reading member items, and the time boundary (`segmentsDue`) in the sparse `bySegmentsDue`
 *   index (`gsi3pk` = `sdue#<shard>`).
 */
import { createHash } from 'node:crypto';

/** Member partitions per segment: up to 16 pages of members are read in parallel. */
export const memberShards = 16;
/** Partitions of the segments due index (a sweep reads each). */
export const segmentsDueShards = 8;

const hashByte = (profileId: string, salt: string) => createHash('sha1').update(`${salt}${profileId}`).digest()[0]!;

/** The member partition of a person (stable: the same person is always in the same shard of every segment). */
export function memberShard(profileId: string): number {
  return hashByte(profileId, 'segment:') % memberShards;
}

export function memberPk(segmentId: string, shard: number): string {
  return `seg#${segmentId}#${shard}`;
}

export function countPk(segmentId: string): string {
  return `segcount#${segmentId}`;
}

export function segmentsDuePartition(profileId: string): string {
  return segmentsDuePartitionOf(hashByte(profileId, 'due:') % segmentsDueShards);
}

export function segmentsDuePartitionOf(shard: number): string {
  return `sdue#${shard}`;
}

/** One member as the member item stores it. */
export interface Member {
  profileId: string;
  enteredAt: string;
  /** The ranking key when the person is ranked (higher: higher decayed score). */
  rank?: number;
}

/** A page of one shard's members, and where the next page starts (absent: the shard is done). */
export interface MemberPage {
  members: Member[];
  cursor?: string;
}

/** What readers of membership need (functions/segments/adapters/membership-store.ts). */
export interface MembershipReader {
  /** Members of a segment now: the sum of its shard counters. */
  count(segmentId: string): Promise<number>;
  /**
   * A page of one shard's members: by profile id, or by rank (highest first; unranked members are not
   * in the rank order). `cursor` is what the previous page answered.
   */
  page(segmentId: string, shard: number, opts?: { cursor?: string; limit?: number; order?: 'id' | 'rank' }): Promise<MemberPage>;
  /** Whether the person is a member (one strongly consistent read). */
  isMember(segmentId: string, profileId: string): Promise<Member | undefined>;
}
