/**
 * The media registry classifies a touch the same way in TypeScript (classify(), the profile API) and in
 * SQL (the "classify" fragment the lake reports include), over real-world spellings of UTM values,
 * referrers and ad click ids, and each lands where a marketer expects it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeSqlParser from 'node-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../functions/analytics/adapters/duckdb-engine.js';
import { sqlFragments } from '../../../functions/analytics/adapters/report-sql.js';
import { renderReport } from '../../../functions/analytics/domain/run-report.js';
import { renderSql, sqlValues } from '../../../functions/analytics/domain/sql.js';
import { type ChannelGroup, classify, defaultMedia, effectiveMedia, type Medium } from '../../../functions/channels/domain/registry.js';
import { channelRulesLiteral } from '../../../functions/channels/domain/rules-sql.js';
import { reportPorts } from '../analytics/harness.js';

/** [what it is, utm_source, utm_medium, utm_campaign, referrer_domain (as the lake keeps it), click_id_type, medium, group]. */
type Case = [string, string | null, string | null, string | null, string | null, string | null, string, ChannelGroup];

const cases: Case[] = [
  // Paid search.
  ['Google Ads, the usual tags', 'google', 'cpc', 'spring', null, null, 'google-ads', 'paid_search'],
  ['Google Ads, capitalised', 'Google', 'CPC', 'Spring', 'google.com', null, 'google-ads', 'paid_search'],
  ['Google Ads, shouted, ppc', 'GOOGLE', 'ppc', null, null, null, 'google-ads', 'paid_search'],
  ['Google Ads, paid_search', 'google', 'paid_search', 'brand', null, null, 'google-ads', 'paid_search'],
  ['Google Ads, Paid-Search', 'google', 'Paid-Search', null, null, null, 'google-ads', 'paid_search'],
  ['Google Ads as adwords', 'adwords', 'cpc', null, null, null, 'google-ads', 'paid_search'],
  ['Google Ads, Japanese campaign name', 'google', 'cpc', '春のセール_2024', null, null, 'google-ads', 'paid_search'],
  ['gclid without UTM values', null, null, null, 'google.com', 'gclid', 'google-ads', 'paid_search'],
  ['gbraid (iOS) alone', null, null, null, null, 'gbraid', 'google-ads', 'paid_search'],
  ['wbraid from google.co.jp', null, null, null, 'google.co.jp', 'wbraid', 'google-ads', 'paid_search'],
  ['yclid from search.yahoo.co.jp', null, null, null, 'search.yahoo.co.jp', 'yclid', 'yahoo-ads', 'paid_search'],
  ['Yahoo! JAPAN Ads tags', 'yahoo', 'cpc', 'キャンペーン', null, null, 'yahoo-ads', 'paid_search'],
  ['Yahoo! JAPAN display ads (one medium with search)', 'Yahoo', 'Display', null, null, null, 'yahoo-ads', 'paid_search'],
  ['msclkid', null, null, null, 'bing.com', 'msclkid', 'microsoft-ads', 'paid_search'],
  ['Bing Ads tags', 'bing', 'cpc', null, null, null, 'microsoft-ads', 'paid_search'],
  // Paid social.
  ['Facebook ads tagged paid', 'facebook', 'paid', null, null, null, 'meta-ads', 'paid_social'],
  ['Facebook ads with fbclid too', 'facebook', 'cpc', 'retarget', 'l.facebook.com', 'fbclid', 'meta-ads', 'paid_social'],
  ['Instagram ads, Paid_Social', 'Instagram', 'Paid_Social', null, null, null, 'meta-ads', 'paid_social'],
  ['fb paidsocial', 'fb', 'paidsocial', null, null, null, 'meta-ads', 'paid_social'],
  ['li_fat_id', null, null, null, 'linkedin.com', 'li_fat_id', 'linkedin-ads', 'paid_social'],
  ['ttclid', null, null, null, null, 'ttclid', 'tiktok-ads', 'paid_social'],
  ['twclid', null, null, null, 't.co', 'twclid', 'x-ads', 'paid_social'],
  ['X ads tags', 'x', 'cpc', null, null, null, 'x-ads', 'paid_social'],
  // Organic social.
  ['fbclid from l.facebook.com (a shared link)', null, null, null, 'l.facebook.com', 'fbclid', 'facebook', 'organic_social'],
  ['m.facebook.com', null, null, null, 'm.facebook.com', null, 'facebook', 'organic_social'],
  ['facebook / Social', 'Facebook', 'Social', null, null, null, 'facebook', 'organic_social'],
  ['ig / social', 'ig', 'social', null, null, null, 'instagram', 'organic_social'],
  ['l.instagram.com', null, null, null, 'l.instagram.com', null, 'instagram', 'organic_social'],
  ['t.co', null, null, null, 't.co', null, 'x', 'organic_social'],
  ['lnkd.in', null, null, null, 'lnkd.in', null, 'linkedin', 'organic_social'],
  ['linkedin / social', 'linkedin', 'social', 'launch', null, null, 'linkedin', 'organic_social'],
  ['line / social', 'line', 'social', null, null, null, 'line', 'organic_social'],
  ['line.me', null, null, null, 'line.me', null, 'line', 'organic_social'],
  ['note.com', null, null, null, 'note.com', null, 'social', 'organic_social'],
  ['sns medium from an unknown source', 'mixi', 'sns', null, null, null, 'social', 'organic_social'],
  // Email.
  ['newsletter / email', 'newsletter', 'email', 'march', null, null, 'newsletter', 'email'],
  ['Mail / e-mail', 'Mail', 'E-Mail', null, null, null, 'newsletter', 'email'],
  ['source newsletter alone', 'newsletter', null, null, null, null, 'newsletter', 'email'],
  ['Gmail on the web', null, null, null, 'mail.google.com', null, 'webmail', 'email'],
  ['Gmail app on Android', null, null, null, 'com.google.android.gm', null, 'webmail', 'email'],
  ['Outlook on the web', null, null, null, 'outlook.live.com', null, 'webmail', 'email'],
  ['Yahoo! Mail Japan', null, null, null, 'mail.yahoo.co.jp', null, 'webmail', 'email'],
  ['メルマガ tagged mailmagazine', 'mag', 'mailmagazine', '2024年3月号', null, null, 'newsletter', 'email'],
  // Organic search.
  ['google.co.jp', null, null, null, 'google.co.jp', null, 'google', 'organic_search'],
  ['google / organic', 'google', 'organic', null, null, null, 'google', 'organic_search'],
  ['search.yahoo.co.jp', null, null, null, 'search.yahoo.co.jp', null, 'yahoo', 'organic_search'],
  ['bing.com', null, null, null, 'bing.com', null, 'bing', 'organic_search'],
  ['duckduckgo.com', null, null, null, 'duckduckgo.com', null, 'search', 'organic_search'],
  ['yandex.ru', null, null, null, 'yandex.ru', null, 'search', 'organic_search'],
  ['docomo search (Japan)', null, null, null, 'search.smt.docomo.ne.jp', null, 'search', 'organic_search'],
  ['au search (Japan)', null, null, null, 'search.auone.jp', null, 'search', 'organic_search'],
  // Display, video, affiliate.
  ['Google display', 'google', 'display', null, null, null, 'google-display', 'display'],
  ['dclid', null, null, null, null, 'dclid', 'google-display', 'display'],
  ['criteo retargeting', 'criteo', 'retargeting', null, null, null, 'display', 'display'],
  ['m.youtube.com', null, null, null, 'm.youtube.com', null, 'youtube', 'video'],
  ['A8 affiliate', 'a8', 'affiliate', null, null, null, 'affiliate', 'affiliate'],
  // Offline.
  ['offline / seminar', 'seminar', 'offline', '東京セミナー', null, null, 'seminar', 'offline'],
  ['Offline / Exhibition', 'Exhibition', 'Offline', null, null, null, 'event', 'offline'],
  ['offline direct mail', 'dm', 'offline', null, null, null, 'offline', 'offline'],
  // Nothing registered.
  ['an unknown referrer', null, null, null, 'news.example.org', null, 'news.example.org', 'referral'],
  ['utm_medium cpc without a source', null, 'cpc', null, null, null, '(not set)', 'other'],
  ['utm_campaign alone', null, null, 'spring', null, null, '(not set)', 'other'],
  ['an unknown source in Japanese', 'ヤフー', 'cpc', null, null, null, 'ヤフー', 'other'],
  ['a full-width GOOGLE', 'ＧＯＯＧＬＥ', 'CPC', null, null, null, 'ｇｏｏｇｌｅ', 'other'],
  ['nothing at all', null, null, null, null, null, 'direct', 'direct'],
];

const keyOf = (r: readonly unknown[]) => JSON.stringify(r);

/** A small query of the "classify" fragment over the cases' keys, rendered as the reports render it. */
function classifySql(rows: readonly Case[], media: readonly Medium[]): string {
  const template = `WITH touch_keys AS (SELECT DISTINCT utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type FROM {{keys}}),
{{> classify}}
SELECT utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type, medium, medium_name, channel FROM touch_classes`;
  const keys = sqlValues(['utm_source', 'utm_medium', 'utm_campaign', 'referrer_domain', 'click_id_type'], rows.map((c) => c.slice(1, 6) as (string | null)[]));
  return renderSql(template, sqlFragments, { keys, channel_rules: channelRulesLiteral(media) });
}

describe('touch classification in TypeScript and SQL', () => {
  let engine: DuckDbEngine;
  const lakeDir = mkdtempSync(join(tmpdir(), 'nurture-classify-'));
  beforeAll(async () => {
    engine = await DuckDbEngine.open(lakeDir);
  });
  afterAll(() => {
    engine?.close();
    rmSync(lakeDir, { recursive: true, force: true });
  });

  /** Each case's classification by the SQL fragment on DuckDB, by case. */
  async function sqlClasses(rows: readonly Case[], media: readonly Medium[]) {
    const result = await engine.query(classifySql(rows, media));
    const byKey = new Map(result.rows.map((r) => [keyOf([r.utm_source, r.utm_medium, r.utm_campaign, r.referrer_domain, r.click_id_type]), r]));
    return rows.map((c) => {
      const r = byKey.get(keyOf(c.slice(1, 6)));
      return r && { medium: r.medium, mediumName: r.medium_name, group: r.channel };
    });
  }

  const tsClass = (c: Case, media: readonly Medium[]) => {
    const { medium, mediumName, group } = classify({ source: c[1], medium: c[2], campaign: c[3], referrerDomain: c[4], clickIdType: c[5] }, media);
    return { medium, mediumName, group };
  };

  it(`agree on ${cases.length} real-world touches, each where a marketer expects it`, async () => {
    expect(new Set(cases.map((c) => keyOf(c.slice(1, 6)))).size, 'every case is a distinct key').toBe(cases.length);

    const fromSql = await sqlClasses(cases, defaultMedia);

    const fromTs = cases.map((c) => tsClass(c, defaultMedia));
    // Compared as whole lists named by case, so a failure shows every disagreement at once.
    const named = (list: ({ medium: unknown; group: unknown } | undefined)[]) => list.map((x, i) => `${cases[i]![0]}: ${x?.medium} (${x?.group})`);
    expect(named(fromSql)).toEqual(named(fromTs));
    expect(fromSql).toEqual(fromTs);
    expect(named(fromTs)).toEqual(named(cases.map((c) => ({ medium: c[6], group: c[7] }))));
  });

  it("agree under an operator's own media, tried before the defaults", async () => {
    const media = effectiveMedia({
      media: [
        { id: 'google-ads', name: 'Google 広告', group: 'paid_search', match: [{ clickId: ['gclid'] }, { source: ['google'], campaign: ['*セール*'] }] },
        { id: 'partner', name: 'Partner sites', group: 'affiliate', match: [{ referrer: ['example.org'] }] },
        { id: 'expo', name: 'Expo booth', group: 'offline', match: [{ medium: ['offline'], source: ['exhibition'] }] },
      ],
    });

    const fromSql = await sqlClasses(cases, media);

    expect(fromSql).toEqual(cases.map((c) => tsClass(c, media)));
    const at = (touch: string) => fromSql[cases.findIndex((c) => c[0] === touch)];
    expect(at('Google Ads, Japanese campaign name')).toEqual({ medium: 'google-ads', mediumName: 'Google 広告', group: 'paid_search' });
    // The own google-ads replaced the default one: plain google / cpc without a sale campaign is unregistered now.
    expect(at('Google Ads, the usual tags')).toEqual({ medium: 'google', mediumName: 'google', group: 'other' });
    expect(at('an unknown referrer')).toEqual({ medium: 'partner', mediumName: 'Partner sites', group: 'affiliate' });
    expect(at('Offline / Exhibition')).toEqual({ medium: 'expo', mediumName: 'Expo booth', group: 'offline' });
  });

  it('renders as Trino SQL, alone and in the channels report with own media', () => {
    const parser = new nodeSqlParser.Parser();
    const media = effectiveMedia({ media: [{ id: 'it-s', name: "it's ours", group: 'referral', match: [{ referrer: ['a.example'], campaign: ['x*'] }] }] });
    const report = renderReport('channels', { from: '2024-03-01', to: '2024-03-31' }, reportPorts, { media }).sql;

    expect(report).toContain("'it''s ours'");
    expect(() => parser.astify(classifySql(cases, defaultMedia), { database: 'trino' })).not.toThrow();
    expect(() => parser.astify(report, { database: 'trino' })).not.toThrow();
  });
});
