import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identify, merge, page } from './fixture-lake.js';
import { analyticsHarness, type Answer } from './harness.js';

const h = analyticsHarness();
/** The traffic answer's counts over the whole window. */
const totals = (a: Answer) => (a as Answer & { totals?: unknown }).totals;

/**
 * A: anonymous `anon-a` on 03-01 (four page views: a gap of exactly 30 minutes starts a new session, 29:59.999
 *    does not), merged into `user-a` on 03-02 when identified.
 * B: seen on 02-20 (before the window) and on 03-02; its 03-02 row delivered twice.
 * C: sends a user id on 03-01 (known from its first event).
 * D: d1 → d2 → d3 (two merges): d1's and d3's events 10 minutes apart are one visit of one person.
 */
function fixture() {
  const bOnce = page('b', '2024-03-02 15:00', '/');
  return {
    events: [
      page('anon-a', '2024-03-01 10:00', '/'),
      page('anon-a', '2024-03-01 10:20', '/pricing'),
      page('anon-a', '2024-03-01 10:50', '/pricing'), // exactly 30 min: new session
      page('anon-a', '2024-03-01 11:19:59.999', '/contact'), // 29:59.999: same session
      identify('user-a', '2024-03-02 09:00', 'u-a'),
      page('b', '2024-02-20 08:00', '/'),
      bOnce,
      { ...bOnce, received: bOnce.received + 1000 }, // at-least-once: the same message again
      page('c', '2024-03-01 12:00', '/', { user_id: 'u-c' }),
      page('d1', '2024-03-01 13:00', '/'),
      page('d3', '2024-03-01 13:10', '/blog'),
    ],
    identity: [merge('anon-a', 'user-a', '2024-03-02 09:00'), merge('d1', 'd2', '2024-03-01 13:05'), merge('d2', 'd3', '2024-03-01 13:09')],
  };
}

describe('traffic report', () => {
  it('counts visits split at 30 minutes, visitors after merges, new/returning and known/anonymous by day', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02' });

    expect(answer.rows).toEqual([
      { day: '2024-03-01', visits: 4, visitors: 3, new_visitors: 3, returning_visitors: 0, known_visitors: 1, anonymous_visitors: 2 },
      { day: '2024-03-02', visits: 2, visitors: 2, new_visitors: 0, returning_visitors: 2, known_visitors: 1, anonymous_visitors: 1 },
    ]);
    expect(answer.parameters).toEqual({ from: '2024-03-01', to: '2024-03-02', lookback: 30 });
  });

  it('counts each visitor of the window once in the totals, however many days they came', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02' });

    // A (anon-a + user-a) came on both days, B on 03-02 after 02-20 (the lookback), C and D on 03-01: four
    // people, five visitors summed by day. New: A, C, D; returning: B. Known by 03-02: A and C.
    expect(totals(answer)).toEqual({ visits: 6, visitors: 4, new_visitors: 3, returning_visitors: 1, known_visitors: 2, anonymous_visitors: 2 });
  });

  it('answers the same when a delivery is replayed into another file (at-least-once)', async () => {
    const rows = fixture();
    const lake = await h.lake(rows);
    const before = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02' });

    await lake.append('events', rows.events);
    await lake.append('identity', rows.identity);
    const after = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02' });

    expect(after.rows).toEqual(before.rows);
    expect(totals(after)).toEqual(totals(before));
    expect(after.bytesScanned).toBeGreaterThan(before.bytesScanned);
  });

  it('counts a visitor as new when the lookback does not reach their earlier visit', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('traffic', { from: '2024-03-02', to: '2024-03-02', lookback: '0' });

    // B's 02-20 visit is outside the 0-day lookback: new. A is new too: 03-01 is not read either.
    expect(answer.rows).toEqual([{ day: '2024-03-02', visits: 2, visitors: 2, new_visitors: 2, returning_visitors: 0, known_visitors: 1, anonymous_visitors: 1 }]);
  });

  it('answers no rows from a lake without files yet', async () => {
    const lake = await h.lake({});

    const answer = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02' });

    expect(answer.rows).toEqual([]);
    expect(totals(answer)).toEqual({ visits: 0, visitors: 0, new_visitors: 0, returning_visitors: 0, known_visitors: 0, anonymous_visitors: 0 });
    expect(answer.bytesScanned).toBe(0);
  });

  it('reports as bytes scanned the files of the partitions it read: the window, the lookback and the identity table', async () => {
    const lake = await h.lake(fixture());
    const size = (table: string, keep: (dt: string) => boolean) =>
      readdirSync(join(lake.dir, table))
        .filter((d) => keep(d.slice('dt='.length)))
        .flatMap((d) => readdirSync(join(lake.dir, table, d)).map((f) => statSync(join(lake.dir, table, d, f)).size))
        .reduce((a, b) => a + b, 0);
    const identity = size('identity', () => true);

    const one = await lake.run('traffic', { from: '2024-03-02', to: '2024-03-02', lookback: '0' });
    const all = await lake.run('traffic', { from: '2024-03-01', to: '2024-03-02', lookback: '30' });

    expect(one.bytesScanned).toBe(size('events', (dt) => dt === '2024-03-02') + identity);
    expect(all.bytesScanned).toBe(size('events', () => true) + identity);
  });
});
