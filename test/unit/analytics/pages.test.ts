import { describe, expect, it } from 'vitest';
import { page, ping } from './fixture-lake.js';
import { analyticsHarness } from './harness.js';

const h = analyticsHarness();

/**
 * S1 (p): /products/a (pings 10+10) → /products/b (ping 30, then a stray ping for /products/a that counts
 *     for neither) → /pricing (no ping).
 * S2 (q): /pricing (pings 30+15, the 30 delivered twice) → /products/a (ping 20).
 * S3 (q, 58 minutes later): /products/a alone.
 */
function fixture() {
  const twice = ping('q', '2024-03-01 12:00:30', '/pricing', 30);
  return {
    events: [
      page('p', '2024-03-01 10:00', '/products/a'),
      ping('p', '2024-03-01 10:00:10', '/products/a', 10),
      ping('p', '2024-03-01 10:00:20', '/products/a', 10),
      page('p', '2024-03-01 10:01', '/products/b'),
      ping('p', '2024-03-01 10:01:30', '/products/b', 30),
      ping('p', '2024-03-01 10:01:40', '/products/a', 5),
      page('p', '2024-03-01 10:02', '/pricing'),
      page('q', '2024-03-01 12:00', '/pricing'),
      twice,
      { ...twice },
      ping('q', '2024-03-01 12:01', '/pricing', 15),
      page('q', '2024-03-01 12:02', '/products/a'),
      ping('q', '2024-03-01 12:02:20', '/products/a', 20),
      page('q', '2024-03-01 13:00', '/products/a'),
    ],
  };
}

describe('pages report', () => {
  it('counts views, visitors, dwell (mean and exact median) and entry/exit rates by path', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('pages', { from: '2024-03-01', to: '2024-03-01' });

    expect(answer.rows).toEqual([
      // dwell 20, 20, 0: mean 13.3, median 20; entered in S1 and S3, left in S2 and S3.
      { page: '/products/a', page_views: 3, visitors: 2, avg_dwell_seconds: 13.3, median_dwell_seconds: 20, sessions: 3, entries: 2, exits: 2, entry_rate: 0.6667, exit_rate: 0.6667 },
      // dwell 0 and 45: median is the mean of the two middle values.
      { page: '/pricing', page_views: 2, visitors: 2, avg_dwell_seconds: 22.5, median_dwell_seconds: 22.5, sessions: 2, entries: 1, exits: 1, entry_rate: 0.5, exit_rate: 0.5 },
      { page: '/products/b', page_views: 1, visitors: 1, avg_dwell_seconds: 30, median_dwell_seconds: 30, sessions: 1, entries: 0, exits: 0, entry_rate: 0, exit_rate: 0 },
    ]);
  });

  it('groups paths by globs', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('pages', { from: '2024-03-01', to: '2024-03-01', group: '/products/**,/pricing' });

    expect(answer.rows).toEqual([
      // dwell 20, 30, 20, 0: median (20 + 20) / 2; S1 enters here and leaves at /pricing.
      { page: '/products/**', page_views: 4, visitors: 2, avg_dwell_seconds: 17.5, median_dwell_seconds: 20, sessions: 3, entries: 2, exits: 2, entry_rate: 0.6667, exit_rate: 0.6667 },
      { page: '/pricing', page_views: 2, visitors: 2, avg_dwell_seconds: 22.5, median_dwell_seconds: 22.5, sessions: 2, entries: 1, exits: 1, entry_rate: 0.5, exit_rate: 0.5 },
    ]);
    expect(answer.parameters).toMatchObject({ group: ['/products/**', '/pricing'] });
  });

  it('matches `*` within one path segment only', async () => {
    const lake = await h.lake({ events: [page('p', '2024-03-01 10:00', '/blog/a'), page('p', '2024-03-01 10:01', '/blog/a/b')] });

    const answer = await lake.run('pages', { from: '2024-03-01', to: '2024-03-01', group: '/blog/*' });

    expect(answer.rows.map((r) => [r.page, r.page_views])).toEqual([['/blog/*', 1]]);
  });
});
