import { describe, expect, it } from 'vitest';
import { runReport } from '../../../functions/analytics/domain/run-report.js';
import { identify, page, track } from './fixture-lake.js';
import { type Answer, analyticsHarness, reportPorts } from './harness.js';

const h = analyticsHarness();

function fixture() {
  const order = track('c1', '2024-03-08 10:05', 'Order Completed', { revenue: 100 });
  return {
    events: [
      // c1: paid search, then social (identifies there), then direct (buys there; the order delivered twice).
      page('c1', '2024-03-01 10:00', '/', { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring' }),
      page('c1', '2024-03-05 10:00', '/blog', { referrer_domain: 'facebook.com' }),
      identify('c1', '2024-03-05 10:01', 'u-c1'),
      page('c1', '2024-03-08 10:00', '/pricing'),
      order,
      { ...order, received: order.received + 10 },
      // c2: from a referring site, buys in the same session, stays anonymous.
      page('c2', '2024-03-02 10:00', '/', { referrer_domain: 'news.example.org' }),
      track('c2', '2024-03-02 10:10', 'Order Completed', { revenue: 50 }),
      // c3: first came from the newsletter before the window; comes back direct with a user id.
      page('c3', '2024-02-25 10:00', '/', { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'march' }),
      page('c3', '2024-03-03 10:00', '/', { user_id: 'u-c3' }),
      // c4: a link in webmail (mail.google.com is email, not search).
      page('c4', '2024-03-04 10:00', '/', { referrer_domain: 'mail.google.com' }),
    ],
  };
}

const window = { from: '2024-03-01', to: '2024-03-10' };
/** Rows keyed by `channel|medium|utm_source|utm_medium|utm_campaign|referrer_domain`. */
const byTouch = (rows: Record<string, unknown>[] = []) =>
  Object.fromEntries(
    rows.map(({ channel, medium, medium_name: _name, utm_source, utm_medium, utm_campaign, referrer_domain, ...n }) => [
      [channel, medium, utm_source, utm_medium, utm_campaign, referrer_domain].join('|'),
      n,
    ]),
  );

describe('channels report', () => {
  it('credits each visit, lead and order to the session it happened in (last touch)', async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('channels', { ...window, model: 'last' });

    expect(byTouch(answer.rows)).toEqual({
      'paid_search|google-ads|google|cpc|spring|': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
      'organic_social|facebook||||facebook.com': { visits: 1, people: 1, leads: 1, orders: 0, revenue: 0 },
      'direct|direct||||': { visits: 2, people: 2, leads: 1, orders: 1, revenue: 100 },
      'referral|news.example.org||||news.example.org': { visits: 1, people: 1, leads: 0, orders: 1, revenue: 50 },
      'email|webmail||||mail.google.com': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
    });
    expect(Object.fromEntries(answer.rows.map((r) => [r.medium, r.medium_name]))).toEqual({
      'google-ads': 'Google Ads',
      facebook: 'Facebook',
      direct: 'Direct',
      'news.example.org': 'news.example.org',
      webmail: 'Webmail',
    });
  });

  it('counts no visit for a session without a page view, and credits its order to the latest visit before it', async () => {
    const lake = await h.lake({
      events: [
        page('c5', '2024-03-02 09:00', '/', { utm_source: 'linkedin', utm_medium: 'social', utm_campaign: 'launch' }),
        // Two days later a server sends the order (no page view: no visit, no touch of its own).
        track('c5', '2024-03-04 12:00', 'Order Completed', { revenue: 70 }),
        // Points a scenario granted, alone in their session.
        track('c6', '2024-03-05 08:00', 'Scenario Points Added', {}),
      ],
    });

    const answer = await lake.run('channels', { ...window, model: 'last' });

    expect(byTouch(answer.rows)).toEqual({ 'organic_social|linkedin|linkedin|social|launch|': { visits: 1, people: 1, leads: 0, orders: 1, revenue: 70 } });
  });

  it("credits everything to the person's first touch, looking back before the window", async () => {
    const lake = await h.lake(fixture());

    const answer = await lake.run('channels', { ...window, model: 'first' });
    const noLookback = await lake.run('channels', { ...window, model: 'first', lookback: '0' });

    expect(byTouch(answer.rows)).toEqual({
      'paid_search|google-ads|google|cpc|spring|': { visits: 3, people: 1, leads: 1, orders: 1, revenue: 100 },
      'referral|news.example.org||||news.example.org': { visits: 1, people: 1, leads: 0, orders: 1, revenue: 50 },
      'email|newsletter|newsletter|email|march|': { visits: 1, people: 1, leads: 1, orders: 0, revenue: 0 },
      'email|webmail||||mail.google.com': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
    });
    expect(byTouch(noLookback.rows)['direct|direct||||']).toEqual({ visits: 1, people: 1, leads: 1, orders: 0, revenue: 0 });
  });

  it('classes a visit by the ad click id of its landing page when it carries no UTM values', async () => {
    const lake = await h.lake({
      events: [
        // Google Ads auto-tagging: gclid only, landing from google.com.
        page('c7', '2024-03-02 09:00', '/', { referrer_domain: 'google.com', click_id_type: 'gclid', click_id: 'Cj0KCQjw' }),
        // Yahoo! JAPAN Ads: yclid only.
        page('c8', '2024-03-02 09:00', '/', { referrer_domain: 'search.yahoo.co.jp', click_id_type: 'yclid', click_id: 'YSS.1' }),
        // The same referrer without a click id is organic search.
        page('c9', '2024-03-02 09:00', '/', { referrer_domain: 'google.com' }),
        // A click id on a later page of the session is not the visit's touch.
        page('c10', '2024-03-03 09:00', '/'),
        page('c10', '2024-03-03 09:01', '/lp', { click_id_type: 'gclid', click_id: 'late' }),
      ],
    });

    const answer = await lake.run('channels', { ...window, model: 'last' });

    expect(byTouch(answer.rows)).toEqual({
      'paid_search|google-ads||||google.com': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
      'paid_search|yahoo-ads||||search.yahoo.co.jp': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
      'organic_search|google||||google.com': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
      'direct|direct||||': { visits: 1, people: 1, leads: 0, orders: 0, revenue: 0 },
    });
  });

  it("uses the operator's own media before the defaults", async () => {
    const lake = await h.lake(fixture());
    const registry = {
      registry: async () => ({
        media: [
          { id: 'partner-news', name: 'Partner news', group: 'affiliate' as const, match: [{ referrer: ['example.org'] }] },
          { id: 'google-ads', name: 'Google 広告', group: 'paid_search' as const, match: [{ source: ['google'] }] },
        ],
      }),
    };

    const answer = (await runReport('channels', { ...window, model: 'last' }, { ...reportPorts, engine: lake.engine, registry })) as Answer;

    const rows = byTouch(answer.rows);
    expect(rows['affiliate|partner-news||||news.example.org']).toEqual({ visits: 1, people: 1, leads: 0, orders: 1, revenue: 50 });
    expect(rows['paid_search|google-ads|google|cpc|spring|']).toBeDefined();
    expect(answer.rows.find((r) => r.medium === 'google-ads')?.medium_name).toBe('Google 広告');
  });
});
