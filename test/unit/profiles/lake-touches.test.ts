import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { LakeTouches } from '../../../functions/analytics/adapters/lake-touches.js';
import { queryFragments, querySql } from '../../../functions/analytics/adapters/query-sql.js';
import { touchesLimits, touchesSql } from '../../../functions/analytics/domain/touches-query.js';
import { defaultMedia, effectiveMedia } from '../../../functions/channels/domain/registry.js';
import { page, ping, track } from '../analytics/fixture-lake.js';
import { analyticsHarness } from '../analytics/harness.js';

const h = analyticsHarness();
const now = () => new Date('2024-03-31T12:00:00Z');
const offline = (profile: string, time: string, channel: string, campaign: string) =>
  track(profile, time, 'Offline Touch', { utm_source: channel, utm_medium: 'offline', utm_campaign: campaign, properties: JSON.stringify({ channel, campaign }) });

describe('touches query', () => {
  it("lists a person's visits (each session's first page view) and offline touches oldest first, classified", async () => {
    const lake = await h.lake({
      events: [
        // Session 1 (anonymous profile merged into p1): a Google Ads click, then more pages.
        page('anon-1', '2024-03-01 10:00', '/lp/spring', { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring', click_id_type: 'gclid' }),
        page('anon-1', '2024-03-01 10:05', '/pricing'),
        ping('anon-1', '2024-03-01 10:20', '/pricing', 15),
        // 29 minutes after the last event: still session 1.
        page('p1', '2024-03-01 10:49', '/contact', { referrer_domain: 'facebook.com' }),
        // A trade show in between.
        offline('p1', '2024-03-05 14:00', 'event', 'expo-2024'),
        // Session 2: organic Google.
        page('p1', '2024-03-10 09:00', '/blog/a', { referrer_domain: 'google.co.jp' }),
        // Someone else entirely, and p1's row from before the span.
        page('p2', '2024-03-02 10:00', '/x', { utm_source: 'newsletter' }),
        page('p1', '2022-01-01 10:00', '/old'),
      ],
    });
    const touches = new LakeTouches(async () => lake.engine, now);
    const { touches: list, truncated } = await touches.read({ profileIds: ['p1', 'anon-1'], days: 366, media: effectiveMedia(undefined) });
    expect(truncated).toBe(false);
    expect(list.map((t) => [t.kind, t.landingPage ?? t.source, t.classification.medium, t.classification.channel])).toEqual([
      ['visit', '/lp/spring', 'google-ads', 'paid_search'],
      ['offline', 'event', 'event', 'offline'],
      ['visit', '/blog/a', 'google', 'organic_search'],
    ]);
    expect(list[0]).toMatchObject({ source: 'google', medium: 'cpc', campaign: 'spring', clickIdType: 'gclid', at: '2024-03-01T10:00:00.000Z' });
    expect(list[1]).toMatchObject({ campaign: 'expo-2024', data: { channel: 'event' }, classification: { mediumName: 'Trade show / event' } });
  });

  it('classifies by the registry given (an own medium first), and reads each row once when it was delivered twice', async () => {
    const visit = page('p1', '2024-03-20 10:00', '/lp', { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand-jp' });
    const lake = await h.lake({ events: [visit, { ...visit, received: visit.received + 1000 }] });
    const media = effectiveMedia({ media: [{ id: 'google-brand', name: 'Google brand', group: 'paid_search', match: [{ source: ['google'], campaign: ['brand*'] }] }] });
    const { touches } = await new LakeTouches(async () => lake.engine, now).read({ profileIds: ['p1'], days: 30, media });
    expect(touches.map((t) => t.classification.medium)).toEqual(['google-brand']);
  });

  it('reads only the span asked (days bounded to maxDays) and only the profiles named', () => {
    const sql = touchesSql(querySql('touches'), queryFragments(), { profileIds: ['p1'], days: 99_999, media: defaultMedia }, now());
    expect(sql).toContain(`dt BETWEEN '${new Date(now().getTime() - touchesLimits.maxDays * 86_400_000).toISOString().slice(0, 10)}' AND '2024-03-31'`);
    expect(sql).toContain("profile_id IN (SELECT id FROM (VALUES ('p1')) AS t(id))");
    expect(() => new nodeSqlParser.Parser().astify(sql, { database: 'trino' })).not.toThrow();
  });
});
