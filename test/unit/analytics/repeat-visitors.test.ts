import { describe, expect, it } from 'vitest';
import { at, merge, page, track } from './fixture-lake.js';
import { analyticsHarness } from './harness.js';

const h = analyticsHarness();

/** Repeat visitors: 3 visits within 7 days, without Order Completed. */
function fixture() {
  return {
    events: [
      // r1: 3 sessions within 5 days; /pricing in two of them.
      page('r1', '2024-03-01 10:00', '/pricing'),
      page('r1', '2024-03-03 10:00', '/pricing'),
      page('r1', '2024-03-06 10:00', '/'),
      // r2: 3 sessions spread over 8 days.
      page('r2', '2024-03-01 10:00', '/'),
      page('r2', '2024-03-05 10:00', '/'),
      page('r2', '2024-03-09 10:00', '/'),
      // r3: 3 sessions in 3 days, then buys.
      page('r3', '2024-03-01 10:00', '/pricing'),
      page('r3', '2024-03-02 10:00', '/pricing'),
      page('r3', '2024-03-03 10:00', '/pricing'),
      track('r3', '2024-03-03 10:05', 'Order Completed', { revenue: 99 }),
      // r4: one day, 10:00 and 10:20 are one session (20 min), 11:00 and 12:00 two more.
      page('r4', '2024-03-01 10:00', '/pricing'),
      page('r4', '2024-03-01 10:20', '/pricing'),
      page('r4', '2024-03-01 11:00', '/pricing'),
      page('r4', '2024-03-01 12:00', '/pricing'),
      // r5: two sessions while anonymous (anon-r5, merged later), one after.
      page('anon-r5', '2024-03-10 10:00', '/'),
      page('anon-r5', '2024-03-11 10:00', '/'),
      page('r5', '2024-03-12 10:00', '/'),
      // r6: the third session exactly 7 days after the first: not within 7 days.
      page('r6', '2024-03-01 10:00', '/'),
      page('r6', '2024-03-04 10:00', '/'),
      page('r6', '2024-03-08 10:00', '/'),
    ],
    identity: [merge('anon-r5', 'r5', '2024-03-12 09:00')],
  };
}

const window = { from: '2024-03-01', to: '2024-03-20' };

describe('repeat-visitors report', () => {
  it('lists people with N visits within D days, merged history included, buyers excluded', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('repeat-visitors', { ...window, visits: '3', days: '7' });

    expect(answer.members).toBe(3);
    expect(answer.rows).toEqual([
      { profile_id: 'r5', visits: 3, last_seen_ms: at('2024-03-12 10:00') },
      { profile_id: 'r1', visits: 3, last_seen_ms: at('2024-03-06 10:00') },
      { profile_id: 'r4', visits: 3, last_seen_ms: at('2024-03-01 12:00') },
    ]);
  });

  it('includes buyers when `without` is empty, and counts only sessions on `path`', async () => {
    const lake = await h.lake(fixture());

    const all = await lake.run('repeat-visitors', { ...window, without: '' });
    const onPricing = await lake.run('repeat-visitors', { ...window, path: '/pricing', without: '' });

    expect(all.rows?.map((r) => r.profile_id)).toEqual(['r5', 'r1', 'r3', 'r4']);
    expect(onPricing.rows?.map((r) => r.profile_id)).toEqual(['r3', 'r4']);
  });

  it('answers just the profile ids with format=ids', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('repeat-visitors', { ...window, format: 'ids' });

    expect(answer).toMatchObject({ members: 3, ids: ['r5', 'r1', 'r4'] });
    expect(answer).not.toHaveProperty('rows');
  });
});
