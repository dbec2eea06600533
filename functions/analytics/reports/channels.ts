/** `channels`: visits, leads and orders by source, first or last touch (channels.sql). */
import * as z from 'zod/mini';
import { defaultLookbackDays, intParam, maxLookbackDays, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { sqlInt, sqlString, sqlValues } from '../domain/sql.js';

export type Channel = 'search' | 'social' | 'email' | 'direct' | 'referral' | 'other';

/**
 * How a session's touch becomes a channel: the first rule (in this order) whose pattern matches the field
 * (`medium`/`source`: the utm value in lower case; `referrer`: the referrer domain, already lower case
 * without `www.`). No rule matching: `referral` with a referrer, `other` with utm tags only, else `direct`.
 * Webmail comes before search so `mail.google.com` is email, not Google.
 */
export const channelRules: readonly { field: 'medium' | 'source' | 'referrer'; pattern: string; channel: Channel }[] = [
  { field: 'medium', pattern: '^(e-?mail|newsletter)$', channel: 'email' },
  { field: 'medium', pattern: '^(social|social-media|social-network|sm)$', channel: 'social' },
  { field: 'medium', pattern: '^(cpc|ppc|paid-?search|organic|search)$', channel: 'search' },
  { field: 'source', pattern: '^(newsletter|email|nurture)$', channel: 'email' },
  { field: 'referrer', pattern: '^(mail\\.google\\.com|outlook\\.live\\.com|outlook\\.office(365)?\\.com|mail\\.yahoo\\.com|mail\\.proton\\.me)$', channel: 'email' },
  {
    field: 'referrer',
    pattern: '^(.*\\.)?(google\\.[a-z.]+|bing\\.com|duckduckgo\\.com|search\\.yahoo\\.com|yahoo\\.com|baidu\\.com|yandex\\.[a-z.]+|ecosia\\.org|qwant\\.com|search\\.brave\\.com|startpage\\.com)$',
    channel: 'search',
  },
  {
    field: 'referrer',
    pattern:
      '^(.*\\.)?(facebook\\.com|fb\\.me|instagram\\.com|t\\.co|twitter\\.com|x\\.com|linkedin\\.com|lnkd\\.in|reddit\\.com|youtube\\.com|pinterest\\.[a-z.]+|tiktok\\.com|threads\\.net|bsky\\.app|mastodon\\.social|news\\.ycombinator\\.com)$',
    channel: 'social',
  },
];

/** The track event counted as an order (its `revenue` column summed). */
export const orderEvent = 'Order Completed';
export const maxChannelRows = 1000;

export const channelsQuery = z.object({
  ...windowShape,
  model: z.optional(z.enum(['first', 'last'])),
  lookback: z.optional(intParam(0, maxLookbackDays)),
  limit: z.optional(intParam(1, maxChannelRows)),
});

export const channels = defineReport({
  name: 'channels',
  summary: 'Channels: visits, leads and orders by source, first or last touch',
  description:
    'Rows by `channel` (search, social, email, direct, referral, other: channelRules in functions/analytics/reports/channels.ts), `utm_source`, ' +
    '`utm_medium`, `utm_campaign` and `referrer_domain` of the credited touch (a visit: a session with a page view, credited by its first page view). `model=last` (default): everything counts ' +
    'for the latest visit that began at or before its session (a session without a page view, e.g. a server-sent order, is no visit); `model=first`: for the person\'s first session in the window and the `lookback` days before it (default 30). ' +
    '`visits`, `people`, `leads` (people who became known: their first event with a user id or identify call falls in the window), `orders` ' +
    '(Order Completed events) and `revenue`. MQLs are not counted: stage changes are not lake rows yet.',
  query: channelsQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const model = p.model ?? 'last';
    const lookback = p.lookback ?? defaultLookbackDays;
    const limit = p.limit ?? 100;
    return {
      literals: {
        ...windowLiterals(window, lookback),
        ...sessionLiterals(),
        channel_rules: sqlValues(['ord', 'field', 'pattern', 'channel'], channelRules.map((r, i) => [i + 1, r.field, r.pattern, r.channel])),
        order_event: sqlString(orderEvent),
        model: sqlString(model),
        limit: sqlInt(limit),
      },
      used: { from: window.from, to: window.to, model, lookback, limit },
    };
  },
});
