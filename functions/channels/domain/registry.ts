/**
 * The media registry (広告媒体): which medium and channel group a touch belongs to, from its UTM values,
 * referrer domain and ad click id. Pure. One classification everywhere: the profile API classifies a
 * touch with `classify`, the lake reports with the same rules inlined as SQL (`ruleRows`), so a visit the
 * lead's timeline calls "Google Ads" is "Google Ads" in the attribution report too.
 *
 * - A medium has an id (`google-ads`), a display name, a channel group and one or more `match`
 *   alternatives. An alternative matches when every field it names matches (AND); a field matches when
 *   any of its patterns does (OR). Media are tried in order: the operator's own first, then the defaults
 *   (an own medium with a default's id replaces that default in place of it).
 * - Patterns are case-insensitive globs (`*` any characters) over the lower-cased value. Referrer patterns
 *   match the domain and its subdomains: `facebook.com` matches `l.facebook.com`.
 * - No medium matching: a referrer makes the referrer's domain a `referral` medium; UTM values alone make
 *   the utm_source (or `(not set)`) an `other` medium; nothing at all is `direct`.
 */
import * as z from 'zod/mini';

/** Channel groups, after GA4's default channel groups, plus `offline` for people met in person. */
export const channelGroups = [
  'paid_search',
  'organic_search',
  'paid_social',
  'organic_social',
  'display',
  'video',
  'email',
  'affiliate',
  'referral',
  'offline',
  'direct',
  'other',
] as const;
export type ChannelGroup = (typeof channelGroups)[number];

/**
 * Ad click ids recognised in a landing page's URL at ingest and kept on the touch, with the platform that
 * adds them. `yclid` is Yahoo! JAPAN Ads' (Yandex uses the same name: add an own medium if that is yours).
 * `fbclid` is added by Meta to every outbound link, paid or not: it marks Meta, not an ad click.
 */
export const clickIdTypes = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'yclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid'] as const;
export type ClickIdType = (typeof clickIdTypes)[number];

/** Registry bounds (README "Media and channels"). */
export const registryLimits = {
  /** Own media an operator registers (the defaults come on top). */
  maxMedia: 200,
  /** Alternatives per medium. */
  maxAlternatives: 10,
  /** Patterns per field of an alternative. */
  maxPatterns: 50,
  /** Characters per pattern. */
  maxPatternChars: 100,
  maxNameChars: 100,
} as const;

export const mediumIdPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const patternShape = /^[\p{L}\p{N} ._~*:/+-]+$/u;

const patterns = z
  .array(
    z.string().check(
      z.minLength(1),
      z.maxLength(registryLimits.maxPatternChars),
      z.refine((s) => patternShape.test(s), 'a pattern holds letters, digits, spaces and . _ ~ * : / + - only (* is any characters)'),
    ),
  )
  .check(z.minLength(1), z.maxLength(registryLimits.maxPatterns));

// Strict objects: a misspelt key (`sorce`) is an error, not a silently wider match.
export const matchSchema = z
  .strictObject({
    source: z.optional(patterns),
    medium: z.optional(patterns),
    campaign: z.optional(patterns),
    referrer: z.optional(patterns),
    clickId: z.optional(z.array(z.enum(clickIdTypes)).check(z.minLength(1))),
  })
  .check(z.refine((m) => Object.values(m).some((v) => v !== undefined), 'an alternative names at least one of source, medium, campaign, referrer, clickId'));
export type MediumMatch = z.infer<typeof matchSchema>;

export const mediumSchema = z.strictObject({
  id: z.string().check(z.regex(mediumIdPattern, 'lower-case letters, digits, - and _, at most 64, starting with a letter or digit')),
  name: z.string().check(z.minLength(1), z.maxLength(registryLimits.maxNameChars)),
  group: z.enum(channelGroups),
  match: z.array(matchSchema).check(z.maxLength(registryLimits.maxAlternatives)),
});
export type Medium = z.infer<typeof mediumSchema>;

/** The operator's document (PUT /v1/admin/channels): their own media, tried before the defaults. */
export const registryDocSchema = z
  .strictObject({ media: z.array(mediumSchema).check(z.maxLength(registryLimits.maxMedia)) })
  .check(
    z.refine((d) => new Set(d.media.map((m) => m.id)).size === d.media.length, {
      message: 'two media have the same id',
      path: ['media'],
    }),
  );
export type RegistryDoc = z.infer<typeof registryDocSchema>;

const paidMedium = ['cpc', 'ppc', 'paid*', 'cpm', 'cpv', 'cpa', 'ads', 'ad', 'sem', 'sponsored*'];
const socialSources = (names: string[]) => names;

/** The media every registry starts with, in the order they are tried. */
export const defaultMedia: readonly Medium[] = [
  // Offline touches (functions/channels: "Offline Touch" events carry medium `offline` and the channel as source).
  { id: 'event', name: 'Trade show / event', group: 'offline', match: [{ medium: ['offline'], source: ['event', 'exhibition', 'trade*show', 'expo'] }] },
  { id: 'seminar', name: 'Seminar', group: 'offline', match: [{ medium: ['offline'], source: ['seminar', 'webinar'] }] },
  { id: 'catalogue', name: 'Catalogue request', group: 'offline', match: [{ medium: ['offline'], source: ['catalog*', 'catalogue*'] }] },
  { id: 'store', name: 'Store visit', group: 'offline', match: [{ medium: ['offline'], source: ['store', 'shop'] }] },
  { id: 'call-centre', name: 'Call centre', group: 'offline', match: [{ medium: ['offline'], source: ['call*centre', 'call*center', 'phone', 'tel'] }] },
  { id: 'offline', name: 'Offline (other)', group: 'offline', match: [{ medium: ['offline'] }] },
  // Paid search.
  {
    id: 'google-ads',
    name: 'Google Ads',
    group: 'paid_search',
    match: [{ clickId: ['gclid', 'gbraid', 'wbraid'] }, { source: ['google*', 'adwords'], medium: paidMedium }],
  },
  { id: 'yahoo-ads', name: 'Yahoo! JAPAN Ads', group: 'paid_search', match: [{ clickId: ['yclid'] }, { source: ['yahoo*', 'yss', 'ydn'], medium: [...paidMedium, 'display'] }] },
  { id: 'microsoft-ads', name: 'Microsoft Advertising', group: 'paid_search', match: [{ clickId: ['msclkid'] }, { source: ['bing', 'microsoft*', 'msn'], medium: paidMedium }] },
  // Paid social.
  { id: 'meta-ads', name: 'Meta Ads', group: 'paid_social', match: [{ source: socialSources(['facebook*', 'fb', 'instagram', 'ig', 'meta']), medium: [...paidMedium, 'social_paid', 'paidsocial'] }] },
  { id: 'linkedin-ads', name: 'LinkedIn Ads', group: 'paid_social', match: [{ clickId: ['li_fat_id'] }, { source: ['linkedin*'], medium: [...paidMedium, 'social_paid'] }] },
  { id: 'x-ads', name: 'X Ads', group: 'paid_social', match: [{ clickId: ['twclid'] }, { source: ['twitter', 'x'], medium: [...paidMedium, 'social_paid'] }] },
  { id: 'tiktok-ads', name: 'TikTok Ads', group: 'paid_social', match: [{ clickId: ['ttclid'] }, { source: ['tiktok*'], medium: [...paidMedium, 'social_paid'] }] },
  { id: 'line-ads', name: 'LINE Ads', group: 'paid_social', match: [{ source: ['line*'], medium: [...paidMedium, 'social_paid'] }] },
  // Display and video.
  { id: 'google-display', name: 'Google Display & DV360', group: 'display', match: [{ clickId: ['dclid'] }, { source: ['google*', 'dv360', 'doubleclick'], medium: ['display', 'banner', 'gdn'] }] },
  { id: 'display', name: 'Display (other)', group: 'display', match: [{ medium: ['display', 'banner', 'interstitial', 'retargeting', 'remarketing'] }] },
  { id: 'youtube', name: 'YouTube', group: 'video', match: [{ referrer: ['youtube.com', 'youtu.be'] }, { source: ['youtube'] }] },
  // Email.
  {
    id: 'newsletter',
    name: 'Newsletter',
    group: 'email',
    // メルマガ (mail magazine) is how Japanese senders often tag a newsletter.
    match: [{ medium: ['email', 'e-mail', 'e_mail', 'mail', 'newsletter', 'mail*magazine', 'mailmaga', 'merumaga', 'melmaga'] }, { source: ['newsletter', 'nurture', 'email'] }],
  },
  {
    id: 'webmail',
    name: 'Webmail',
    group: 'email',
    // com.google.android.gm: the Gmail app on Android (an android-app:// referrer), else Google organic.
    match: [{ referrer: ['mail.google.com', 'com.google.android.gm', 'outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'mail.yahoo.com', 'mail.yahoo.co.jp', 'mail.proton.me'] }],
  },
  { id: 'affiliate', name: 'Affiliate', group: 'affiliate', match: [{ medium: ['affiliate*', 'partner*'] }] },
  // Organic social (after the paid media: an ad click from Facebook carries a paid medium or click id).
  { id: 'facebook', name: 'Facebook', group: 'organic_social', match: [{ clickId: ['fbclid'] }, { referrer: ['facebook.com', 'fb.me', 'fb.com'] }, { source: ['facebook*', 'fb'] }] },
  { id: 'instagram', name: 'Instagram', group: 'organic_social', match: [{ referrer: ['instagram.com'] }, { source: ['instagram', 'ig'] }] },
  { id: 'x', name: 'X (Twitter)', group: 'organic_social', match: [{ referrer: ['t.co', 'twitter.com', 'x.com'] }, { source: ['twitter', 'x'] }] },
  { id: 'linkedin', name: 'LinkedIn', group: 'organic_social', match: [{ referrer: ['linkedin.com', 'lnkd.in'] }, { source: ['linkedin*'] }] },
  { id: 'line', name: 'LINE', group: 'organic_social', match: [{ referrer: ['line.me'] }, { source: ['line'] }] },
  { id: 'tiktok', name: 'TikTok', group: 'organic_social', match: [{ referrer: ['tiktok.com'] }, { source: ['tiktok'] }] },
  {
    id: 'social',
    name: 'Social (other)',
    group: 'organic_social',
    match: [
      { medium: ['social', 'social-media', 'social_media', 'social-network', 'sm', 'sns'] },
      { referrer: ['reddit.com', 'pinterest.*', 'threads.net', 'bsky.app', 'mastodon.social', 'news.ycombinator.com', 'note.com', 'hatena.ne.jp', 'b.hatena.ne.jp'] },
    ],
  },
  // Organic search.
  { id: 'google', name: 'Google (organic)', group: 'organic_search', match: [{ referrer: ['google.*'] }, { source: ['google'], medium: ['organic'] }] },
  { id: 'yahoo', name: 'Yahoo! (organic)', group: 'organic_search', match: [{ referrer: ['search.yahoo.co.jp', 'yahoo.co.jp', 'search.yahoo.com', 'yahoo.com'] }, { source: ['yahoo*'], medium: ['organic'] }] },
  { id: 'bing', name: 'Bing (organic)', group: 'organic_search', match: [{ referrer: ['bing.com'] }, { source: ['bing'], medium: ['organic'] }] },
  {
    id: 'search',
    name: 'Search (other)',
    group: 'organic_search',
    match: [
      { referrer: ['duckduckgo.com', 'baidu.com', 'yandex.*', 'ecosia.org', 'qwant.com', 'search.brave.com', 'startpage.com', 'naver.com', 'goo.ne.jp', 'search.smt.docomo.ne.jp', 'search.auone.jp'] },
      { medium: ['organic', 'search'] },
    ],
  },
  // Tagged referrals (GA4's Referral channel takes utm_medium=referral too). Last: any medium above wins.
  { id: 'referral', name: 'Referral (tagged)', group: 'referral', match: [{ medium: ['referral'] }] },
];

/** The registry in force: the operator's media first, then every default they did not replace. */
export function effectiveMedia(doc: RegistryDoc | undefined): Medium[] {
  const own = doc?.media ?? [];
  const ownIds = new Set(own.map((m) => m.id));
  return [...own, ...defaultMedia.filter((m) => !ownIds.has(m.id))];
}

/** What a touch offers to classification (values as they came; lower-cased here). */
export interface TouchKey {
  source?: string | null;
  medium?: string | null;
  campaign?: string | null;
  referrerDomain?: string | null;
  clickIdType?: string | null;
}

export interface Classification {
  /** The medium's id, or the referrer / utm_source for unregistered ones (`direct` for none). */
  medium: string;
  /** The medium's display name (the id itself for unregistered ones). */
  mediumName: string;
  group: ChannelGroup;
  /** True when a registered medium matched. */
  registered: boolean;
}

/** The value classification falls back to for UTM values without a utm_source. */
export const notSet = '(not set)';

const escape = (c: string) => (/[\\^$.|?+()[\]{}]/.test(c) ? `\\${c}` : c);

/**
 * A pattern as an anchored regular expression over a lower-cased value, in the subset JavaScript, Trino
 * (Java regex) and DuckDB (RE2) read alike. Referrer patterns also match subdomains.
 */
export function patternRegex(pattern: string, field: 'source' | 'medium' | 'campaign' | 'referrer'): string {
  const body = [...pattern.toLowerCase()].map((c) => (c === '*' ? '.*' : escape(c))).join('');
  return field === 'referrer' ? `^(.*\\.)?${body}$` : `^${body}$`;
}

const fieldsOf = ['source', 'medium', 'campaign', 'referrer'] as const;

/** One row per alternative: the regular expression per field (empty: any value), in trying order. */
export interface RuleRow {
  ord: number;
  mediumId: string;
  mediumName: string;
  group: ChannelGroup;
  source: string;
  medium: string;
  campaign: string;
  referrer: string;
  /** Click id types as a regex over the type (empty: any). */
  clickId: string;
}

/** The rule rows of a registry, in trying order (the SQL reports take these as a VALUES table). */
export function ruleRows(media: readonly Medium[]): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const m of media) {
    for (const alt of m.match) {
      const re = (f: (typeof fieldsOf)[number]) => {
        const list = alt[f];
        return list ? `(${list.map((p) => patternRegex(p, f)).join('|')})` : '';
      };
      rows.push({
        ord: rows.length + 1,
        mediumId: m.id,
        mediumName: m.name,
        group: m.group,
        source: re('source'),
        medium: re('medium'),
        campaign: re('campaign'),
        referrer: re('referrer'),
        clickId: alt.clickId ? `^(${alt.clickId.join('|')})$` : '',
      });
    }
  }
  return rows;
}

const lower = (v: string | null | undefined) => (v ? v.toLowerCase() : '');

/** Whether one rule row matches (an empty pattern matches anything; a named field needs a value). */
function rowMatches(row: RuleRow, key: TouchKey, compiled: Map<string, RegExp>): boolean {
  const values: Record<keyof Pick<RuleRow, 'source' | 'medium' | 'campaign' | 'referrer' | 'clickId'>, string> = {
    source: lower(key.source),
    medium: lower(key.medium),
    campaign: lower(key.campaign),
    referrer: lower(key.referrerDomain),
    clickId: lower(key.clickIdType),
  };
  for (const f of ['source', 'medium', 'campaign', 'referrer', 'clickId'] as const) {
    const re = row[f];
    if (re === '') continue;
    let rx = compiled.get(re);
    if (!rx) compiled.set(re, (rx = new RegExp(re)));
    if (!rx.test(values[f])) return false;
  }
  return true;
}

/** The fallback when no medium matches (the SQL reports apply the same rule). */
export function unregistered(key: TouchKey): Classification {
  const referrer = lower(key.referrerDomain);
  if (referrer) return { medium: referrer, mediumName: referrer, group: 'referral', registered: false };
  if (key.source || key.medium || key.campaign) {
    const source = lower(key.source) || notSet;
    return { medium: source, mediumName: source, group: 'other', registered: false };
  }
  return { medium: 'direct', mediumName: 'Direct', group: 'direct', registered: false };
}

/** A classifier over rule rows (compiled once; classify many touches with it). */
export function classifier(rows: readonly RuleRow[]): (key: TouchKey) => Classification {
  const compiled = new Map<string, RegExp>();
  return (key) => {
    const hit = rows.find((r) => rowMatches(r, key, compiled));
    return hit ? { medium: hit.mediumId, mediumName: hit.mediumName, group: hit.group, registered: true } : unregistered(key);
  };
}

/** Classifies one touch against a registry (see the module comment). */
export function classify(key: TouchKey, media: readonly Medium[] = defaultMedia): Classification {
  return classifier(ruleRows(media))(key);
}
