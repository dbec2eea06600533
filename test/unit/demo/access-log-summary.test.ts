import { describe, expect, it } from 'vitest';
import type { AccessLogs } from '../../../demo/access-logs.js';
import { formatAccessLogs, reportCommands } from '../../../demo/summary.js';
import { withTotals } from '../../../cli/commands/analytics.js';

/** Report answers as readAccessLogs shapes them: a lake with this run's 6 pricing repeaters and 4 from before. */
function logs(over: Partial<AccessLogs['pricingRepeat']> = {}): AccessLogs {
  return {
    from: '2024-03-01',
    to: '2024-03-30',
    traffic: { visits: 80, visitors: 54, known_visitors: 35, anonymous_visitors: 19 },
    topPages: [
      { page: '/pricing.html', page_views: 40, visitors: 20, avg_dwell_seconds: 27.4 },
      { page: '/', page_views: 30, visitors: 30, avg_dwell_seconds: 0 },
    ],
    pricingRepeat: { visits: 3, days: 7, members: 10, runRepeaters: 6, runRepeatersIn: 6, ...over },
    funnel: { entered: 20, reached: 9, medianSeconds: 180_000 },
    channels: [
      { channel: 'paid_search', medium: 'google-ads', medium_name: 'Google Ads', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', referrer_domain: 'google.com', visits: 12, people: 8, leads: 4, orders: 1 },
      { channel: 'referral', medium: 'news.example.org', medium_name: 'news.example.org', utm_source: null, utm_medium: null, utm_campaign: null, referrer_domain: 'news.example.org', visits: 10, people: 8, leads: 0, orders: 0 },
      { channel: 'direct', medium: 'direct', medium_name: 'Direct', utm_source: null, utm_medium: null, utm_campaign: null, referrer_domain: null, visits: 9, people: 7, leads: 2, orders: 0 },
    ],
  };
}
const complete = { rows: 400, expected: 400, complete: true };

describe('the demo summary of the access logs', () => {
  it('says how many repeat pricing visitors are this run\'s pricing repeaters, and that others are there too', () => {
    const all = formatAccessLogs(logs(), complete, { apiUrl: 'http://127.0.0.1:4000' });
    const some = formatAccessLogs(logs({ runRepeatersIn: 4 }), complete, { apiUrl: 'http://127.0.0.1:4000' });
    const only = formatAccessLogs(logs({ members: 6 }), complete, { apiUrl: 'http://127.0.0.1:4000' });

    expect(all).toContain('without an order: 10 people, among them all of this run\'s 6 pricing repeaters');
    expect(some).toContain('without an order: 10 people, among them 4 of this run\'s 6 pricing repeaters');
    expect(only).toContain('without an order: 6 people — the 6 pricing repeaters of this run');
  });

  it('says when the lake does not hold the whole run yet, and never claims a dwell without heartbeats', () => {
    const text = formatAccessLogs(logs(), { rows: 380, expected: 400, complete: false }, { apiUrl: 'http://127.0.0.1:4000' });

    expect(text).toContain("the lake holds 380 of this run's 400 events so far");
    expect(text).toMatch(/\/pricing\.html +40 views by 20 visitors, 27 s dwell on average/);
    expect(text).toMatch(/\/ +30 views by 30 visitors, no dwell measured/);
    expect(text).toContain('9 of 20 people (45%), 2.1 days after pricing (median)');
  });

  it('names each channel line by its group and registered medium', () => {
    const text = formatAccessLogs(logs(), complete, { apiUrl: 'http://127.0.0.1:4000' });

    expect(text).toMatch(/paid_search +Google Ads: google \/ cpc \/ brand \(google\.com\) +12 visits, 4 leads, 1 order/);
    expect(text).toMatch(/referral +news\.example\.org +10 visits, 0 leads, 0 orders/);
    expect(text).toMatch(/direct +9 visits, 2 leads, 0 orders/);
  });

    it('gives the command of every report, with the lake folder when it is not the default one', () => {
    const text = formatAccessLogs(logs(), complete, { apiUrl: 'http://127.0.0.1:4000', lakeOption: ' --lake /data/lake' });

    for (const c of reportCommands) expect(text).toContain(`npm run nurture -- analytics ${c.report}`);
    expect(text.split('\n').filter((l) => l.includes('npm run nurture')).every((l) => l.endsWith(' --lake /data/lake'))).toBe(true);
  });
});

describe('nurture analytics table', () => {
  it('adds the totals as a last row named total, and nothing without totals', () => {
    const rows = [{ day: '2024-03-01', visits: 2, visitors: 2 }];

    expect(withTotals(rows, { visits: 2, visitors: 1 })).toEqual([...rows, { day: 'total', visits: 2, visitors: 1 }]);
    expect(withTotals(rows, undefined)).toEqual(rows);
  });
});
