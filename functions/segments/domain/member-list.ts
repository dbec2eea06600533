/**
 * A segment's members as one list over its `memberShards` partitions (`GET /v1/admin/segments/{id}/members`,
 * `nurture segments members`). Pure (reads are ports).
 *
 * - `sort=score`: a k-way merge of every shard's stream: first its ranked members from the `bySegmentRank`
 *   index, highest rank first, then its unranked members (not in the ranking index) in id order. The
 *   merge emits a member only while every shard that is not done has a member buffered, so each page is
 *   exactly the next members of the whole order, and each shard's emitted members are a prefix of its
 *   stream. The cursor holds each shard's position (after a rank and id, after an id, or done).
 * - `sort=entered`: newest entry first, for segments of at most `maxSortedByEntry` members (no index
 *   orders members by entry: every page reads the whole membership, 16 queries in parallel).
 */
import type { Member, MembershipReader } from './membership.js';
import { memberShards } from './membership.js';
import { BadCursorError } from '../errors.js';

export { BadCursorError };

/** Limits of the members list. */
export const memberListLimits = {
  /** Members a page holds when `limit` is not given. */
  defaultLimit: 50,
  /** Most members a page holds. */
  maxLimit: 200,
  /** Largest segment `sort=entered` lists (it reads every member for each page). */
  maxSortedByEntry: 10_000,
  /** Queries one page makes per shard at most (a shard of mostly ranked members reads past them for unranked ones). */
  maxReadsPerShard: 4,
  /** Longest cursor accepted (16 shard positions). */
  maxCursorChars: 8192,
} as const;

export const memberSorts = ['score', 'entered'] as const;
export type MemberSort = (typeof memberSorts)[number];

/** Where one shard's stream stands: before its first ranked member, after one, in its unranked part, or done. */
export type ShardPosition =
  | { phase: 'ranked'; after?: { rank: number; profileId: string } }
  | { phase: 'unranked'; after?: string }
  | { phase: 'done' };

/** A position in the whole list. */
export type ListPosition = { sort: 'score'; shards: ShardPosition[] } | { sort: 'entered'; after: { enteredAt: string; profileId: string } };

/** One read of a shard from a position: its members, and the position after the last item it looked at. */
export interface ShardRead {
  members: Member[];
  next: ShardPosition;
}

/** Reads a shard's stream (functions/segments/adapters/member-shards.ts). */
export interface MemberShardReader {
  read(segmentId: string, shard: number, from: ShardPosition, limit: number): Promise<ShardRead>;
}

type Packed = ['r'] | ['r', number, string] | ['u'] | ['u', string] | ['d'];

function pack(p: ShardPosition): Packed {
  if (p.phase === 'done') return ['d'];
  if (p.phase === 'unranked') return p.after === undefined ? ['u'] : ['u', p.after];
  return p.after ? ['r', p.after.rank, p.after.profileId] : ['r'];
}

function unpack(raw: unknown): ShardPosition {
  if (!Array.isArray(raw)) throw new BadCursorError('a shard position is not a list');
  const [tag, a, b] = raw as unknown[];
  if (tag === 'd' && raw.length === 1) return { phase: 'done' };
  if (tag === 'u' && raw.length === 1) return { phase: 'unranked' };
  if (tag === 'u' && raw.length === 2 && typeof a === 'string' && a) return { phase: 'unranked', after: a };
  if (tag === 'r' && raw.length === 1) return { phase: 'ranked' };
  if (tag === 'r' && raw.length === 3 && typeof a === 'number' && Number.isFinite(a) && typeof b === 'string' && b) return { phase: 'ranked', after: { rank: a, profileId: b } };
  throw new BadCursorError('a shard position is not one this list writes');
}

/** The opaque cursor (base64url JSON) of a position. */
export function encodeListCursor(p: ListPosition): string {
  const body = p.sort === 'score' ? { v: 1, s: 'score', k: p.shards.map(pack) } : { v: 1, s: 'entered', at: p.after.enteredAt, id: p.after.profileId };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position a cursor holds; BadCursorError when it is not one of ours or belongs to another sort. */
export function decodeListCursor(cursor: string, sort: MemberSort): ListPosition {
  if (cursor.length > memberListLimits.maxCursorChars || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new BadCursorError('not a cursor this list answered');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new BadCursorError('not a cursor this list answered');
  }
  if (!body || typeof body !== 'object' || body.v !== 1) throw new BadCursorError('not a cursor this list answered');
  if (body.s !== sort) throw new BadCursorError(`a cursor of sort=${String(body.s)}, not sort=${sort}`);
  if (sort === 'entered') {
    if (typeof body.at !== 'string' || typeof body.id !== 'string' || !body.id) throw new BadCursorError('not a cursor this list answered');
    return { sort, after: { enteredAt: body.at, profileId: body.id } };
  }
  if (!Array.isArray(body.k) || body.k.length !== memberShards) throw new BadCursorError(`a cursor holds ${memberShards} shard positions`);
  return { sort, shards: body.k.map(unpack) };
}

/** The first position of the score order: every shard before its first ranked member. */
export const scoreStart = (): ShardPosition[] => Array.from({ length: memberShards }, () => ({ phase: 'ranked' }) as const);

/** The position just after `m` in its shard's stream. */
export function positionAfter(m: Member): ShardPosition {
  return m.rank === undefined ? { phase: 'unranked', after: m.profileId } : { phase: 'ranked', after: { rank: m.rank, profileId: m.profileId } };
}

/** Whether `a` comes before `b` in the score order (ranked by rank, highest first; then unranked by id). */
export function scoreBefore(a: Member, b: Member): boolean {
  if ((a.rank === undefined) !== (b.rank === undefined)) return a.rank !== undefined;
  if (a.rank !== undefined && b.rank !== undefined && a.rank !== b.rank) return a.rank > b.rank;
  return a.profileId < b.profileId;
}

/** What each shard read for one page: its buffered members (in stream order) and where its reads stopped. */
export interface ShardBuffer {
  from: ShardPosition;
  members: Member[];
  frontier: ShardPosition;
}

/**
 * The k-way merge of one page: the next `limit` members of the whole order and every shard's position
 * after them. A shard whose buffer runs out before it is done stops the page early (its next members,
 * unread, might come first).
 */
export function mergeShards(buffers: readonly ShardBuffer[], limit: number): { members: Member[]; positions: ShardPosition[] } {
  const taken = buffers.map(() => 0);
  const out: Member[] = [];
  while (out.length < limit) {
    let best = -1;
    let blocked = false;
    buffers.forEach((b, i) => {
      const head = b.members[taken[i]!];
      if (!head) {
        if (b.frontier.phase !== 'done') blocked = true;
        return;
      }
      if (best < 0 || scoreBefore(head, buffers[best]!.members[taken[best]!]!)) best = i;
    });
    if (blocked || best < 0) break;
    out.push(buffers[best]!.members[taken[best]!]!);
    taken[best]!++;
  }
  const positions = buffers.map((b, i) => {
    const n = taken[i]!;
    if (n === b.members.length) return b.frontier;
    return n === 0 ? b.from : positionAfter(b.members[n - 1]!);
  });
  return { members: out, positions };
}

/** Reads each shard from its position until it buffers `limit` members, is done, or has made maxReadsPerShard reads. */
export async function fillShard(reader: MemberShardReader, segmentId: string, shard: number, from: ShardPosition, limit: number): Promise<ShardBuffer> {
  const members: Member[] = [];
  let frontier = from;
  for (let reads = 0; members.length < limit && frontier.phase !== 'done' && reads < memberListLimits.maxReadsPerShard; reads++) {
    const r = await reader.read(segmentId, shard, frontier, limit - members.length);
    members.push(...r.members);
    frontier = r.next;
  }
  return { from, members, frontier };
}

export interface MemberPageOut {
  members: Member[];
  cursor?: string;
}

/** One page of the score order from `position` (absent: the start). */
export async function scorePage(segmentId: string, reader: MemberShardReader, limit: number, position?: ShardPosition[]): Promise<MemberPageOut> {
  const from = position ?? scoreStart();
  const buffers = await Promise.all(from.map((p, shard) => fillShard(reader, segmentId, shard, p, limit)));
  const { members, positions } = mergeShards(buffers, limit);
  const done = positions.every((p) => p.phase === 'done');
  return { members, ...(done ? {} : { cursor: encodeListCursor({ sort: 'score', shards: positions }) }) };
}

/** Every member of a segment, each shard paged by id (16 shards in parallel). */
export async function allMembers(segmentId: string, membership: Pick<MembershipReader, 'page'>, pageSize = 1000): Promise<Member[]> {
  const shards = await Promise.all(
    Array.from({ length: memberShards }, async (_, shard) => {
      const out: Member[] = [];
      let cursor: string | undefined;
      do {
        const page = await membership.page(segmentId, shard, { order: 'id', limit: pageSize, ...(cursor ? { cursor } : {}) });
        out.push(...page.members);
        cursor = page.cursor;
      } while (cursor);
      return out;
    }),
  );
  return shards.flat();
}

const enteredBefore = (a: Pick<Member, 'enteredAt' | 'profileId'>, b: Pick<Member, 'enteredAt' | 'profileId'>) =>
  a.enteredAt !== b.enteredAt ? a.enteredAt > b.enteredAt : a.profileId < b.profileId;

/** One page of the entry order (newest first, then by id) over every member, after `after`. */
export function enteredPage(all: readonly Member[], limit: number, after?: { enteredAt: string; profileId: string }): MemberPageOut {
  const sorted = [...all].sort((a, b) => (enteredBefore(a, b) ? -1 : 1));
  const rest = after ? sorted.filter((m) => enteredBefore(after, m)) : sorted;
  const members = rest.slice(0, limit);
  const last = members.at(-1);
  return { members, ...(rest.length > limit && last ? { cursor: encodeListCursor({ sort: 'entered', after: { enteredAt: last.enteredAt, profileId: last.profileId } }) } : {}) };
}
