import { describe, expect, it } from 'vitest';
import {
  BadCursorError,
  decodeListCursor,
  encodeListCursor,
  enteredPage,
  type MemberShardReader,
  mergeShards,
  scorePage,
  scoreStart,
  type ShardPosition,
} from '../../../functions/segments/domain/member-list.js';
import { type Member, memberShards } from '../../../functions/segments/domain/membership.js';
import { summaryHeader, summaryLine } from '../../../functions/segments/domain/member-summary.js';

const m = (profileId: string, rank?: number, enteredAt = '2026-01-01T00:00:00.000Z'): Member => ({ profileId, enteredAt, ...(rank === undefined ? {} : { rank }) });

/** Shards in memory, read as the DynamoDB adapter reads them: ranked by rank desc (ties by id), then unranked by id, at most `pageCap` items looked at a read. */
function memoryShards(shards: Member[][], pageCap = 1000): MemberShardReader & { reads: number } {
  const reader = {
    reads: 0,
    async read(_segmentId: string, shard: number, from: ShardPosition, limit: number) {
      reader.reads++;
      const all = shards[shard] ?? [];
      const n = Math.min(limit, pageCap);
      if (from.phase === 'done') return { members: [], next: from };
      if (from.phase === 'ranked') {
        const ranked = all.filter((x) => x.rank !== undefined).sort((a, b) => b.rank! - a.rank! || (a.profileId < b.profileId ? -1 : 1));
        const start = from.after ? ranked.findIndex((x) => x.profileId === from.after!.profileId) + 1 : 0;
        const members = ranked.slice(start, start + n);
        const last = members.at(-1);
        return { members, next: start + n < ranked.length && last ? ({ phase: 'ranked', after: { rank: last.rank!, profileId: last.profileId } } as const) : ({ phase: 'unranked' } as const) };
      }
      // Unranked: look at `n` items in id order (ranked ones included), keep the unranked ones.
      const byId = [...all].sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
      const start = from.after ? byId.findIndex((x) => x.profileId > from.after!) : 0;
      const looked = start < 0 ? [] : byId.slice(start, start + n);
      const more = start >= 0 && start + n < byId.length;
      return { members: looked.filter((x) => x.rank === undefined), next: more ? ({ phase: 'unranked', after: looked.at(-1)!.profileId } as const) : ({ phase: 'done' } as const) };
    },
  };
  return reader;
}

async function everyPage(reader: MemberShardReader, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const pos = cursor === undefined ? undefined : decodeListCursor(cursor, 'score');
    const page = await scorePage('s', reader, limit, pos?.sort === 'score' ? pos.shards : undefined);
    ids.push(...page.members.map((x) => x.profileId));
    cursor = page.cursor;
    pages++;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { ids, pages };
}

describe('members cursor', () => {
  it('round-trips the shard positions and the entry position', () => {
    const shards: ShardPosition[] = scoreStart();
    shards[0] = { phase: 'ranked', after: { rank: 12.5, profileId: 'p_a' } };
    shards[1] = { phase: 'unranked', after: 'p_b' };
    shards[2] = { phase: 'unranked' };
    shards[3] = { phase: 'done' };
    const cursor = encodeListCursor({ sort: 'score', shards });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor, 'score')).toEqual({ sort: 'score', shards });
    const entered = encodeListCursor({ sort: 'entered', after: { enteredAt: '2026-01-02T00:00:00Z', profileId: 'p_x' } });
    expect(decodeListCursor(entered, 'entered')).toEqual({ sort: 'entered', after: { enteredAt: '2026-01-02T00:00:00Z', profileId: 'p_x' } });
  });

  it('refuses what it did not write, and a cursor of the other sort', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['not a cursor!', b64('x'), b64({ v: 2, s: 'score', k: [] }), b64({ v: 1, s: 'score', k: [['r']] }), b64({ v: 1, s: 'score', k: Array(16).fill(['q']) }), 'x'.repeat(9000)]) {
      expect(() => decodeListCursor(bad, 'score'), bad.slice(0, 20)).toThrow(BadCursorError);
    }
    const score = encodeListCursor({ sort: 'score', shards: scoreStart() });
    expect(() => decodeListCursor(score, 'entered')).toThrow('a cursor of sort=score, not sort=entered');
  });
});

describe('k-way merge by rank', () => {
  it('merges hand-built pages highest rank first, unranked after by id, and records where each shard stopped', () => {
    const { members, positions } = mergeShards(
      [
        { from: { phase: 'ranked' }, members: [m('a', 9), m('b', 3), m('c')], frontier: { phase: 'done' } },
        { from: { phase: 'ranked' }, members: [m('d', 7), m('e', 5)], frontier: { phase: 'ranked', after: { rank: 5, profileId: 'e' } } },
        { from: { phase: 'done' }, members: [], frontier: { phase: 'done' } },
      ],
      3,
    );
    expect(members.map((x) => x.profileId)).toEqual(['a', 'd', 'e']);
    expect(positions).toEqual([{ phase: 'ranked', after: { rank: 9, profileId: 'a' } }, { phase: 'ranked', after: { rank: 5, profileId: 'e' } }, { phase: 'done' }]);
  });

  it('stops where a shard that is not done runs out (its unread members might come first)', () => {
    const { members, positions } = mergeShards(
      [
        { from: { phase: 'ranked' }, members: [m('a', 9), m('b', 1)], frontier: { phase: 'done' } },
        { from: { phase: 'unranked' }, members: [], frontier: { phase: 'unranked', after: 'q' } },
      ],
      10,
    );
    expect(members).toEqual([]);
    // The empty shard moves to where its reading stopped, so the next page makes progress.
    expect(positions).toEqual([{ phase: 'ranked' }, { phase: 'unranked', after: 'q' }]);
  });

  it('pages every member exactly once in score order, over 16 shards, with small pages and unranked members', async () => {
    const shards: Member[][] = Array.from({ length: memberShards }, () => []);
    const all: Member[] = [];
    for (let i = 0; i < 600; i++) {
      const member = m(`p${String(i).padStart(3, '0')}`, i % 5 === 0 ? undefined : (i * 37) % 101);
      shards[(i * 7) % memberShards]!.push(member);
      all.push(member);
    }
    const expected = [...all].sort((a, b) => {
      if ((a.rank === undefined) !== (b.rank === undefined)) return a.rank === undefined ? 1 : -1;
      if (a.rank !== b.rank) return b.rank! - a.rank!;
      return a.profileId < b.profileId ? -1 : 1;
    });
    for (const [limit, cap] of [[7, 1000], [50, 2], [200, 1000]] as const) {
      const { ids } = await everyPage(memoryShards(shards, cap), limit);
      expect(ids, `limit ${limit}, reads of ${cap}`).toEqual(expected.map((x) => x.profileId));
    }
  });
});

describe('entry order', () => {
  it('lists newest entry first, ties by id, each member once across pages', () => {
    const all = [m('a', 1, '2026-01-01T00:00:00Z'), m('b', 1, '2026-01-03T00:00:00Z'), m('c', undefined, '2026-01-02T00:00:00Z'), m('d', 2, '2026-01-03T00:00:00Z')];
    const first = enteredPage(all, 3);
    expect(first.members.map((x) => x.profileId)).toEqual(['b', 'd', 'c']);
    const after = decodeListCursor(first.cursor!, 'entered');
    const second = enteredPage(all, 3, after.sort === 'entered' ? after.after : undefined);
    expect(second).toEqual({ members: [all[0]] });
  });
});

describe('members CSV', () => {
  it('starts with a UTF-8 byte order mark and quotes cells per RFC 4180', () => {
    expect(summaryHeader()).toBe('\ufeffprofileId,email,name,company,score,stage,lifecycle,enteredAt\r\n');
    const line = summaryLine({ profileId: 'p1', email: 'a@example.jp', name: '山田 "Taro", Jr.', company: 'ACME\nJapan', score: 12.5, stage: 'mql', lifecycle: 'prospect', enteredAt: '2026-01-01T00:00:00Z' });
    expect(line).toBe('p1,a@example.jp,"山田 ""Taro"", Jr.","ACME\nJapan",12.5,mql,prospect,2026-01-01T00:00:00Z\r\n');
    expect(summaryLine({ profileId: 'p2', name: '=HYPERLINK("x")' })).toBe('p2,,"\'=HYPERLINK(""x"")",,,,,\r\n');
  });
});
