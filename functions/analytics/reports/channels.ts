/**
 * `channels`: visits, leads and orders by medium and channel group (the media registry in force:
 * channels/domain/registry.ts, inlined as `{{channel_rules}}`), first or last touch (channels.sql).
 */
import * as z from 'zod/mini';
import { channelGroups } from '../../channels/domain/registry.js';
import { channelRulesLiteral } from '../../channels/domain/rules-sql.js';
import { defaultLookbackDays, intParam, maxLookbackDays, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { sqlInt, sqlString } from '../domain/sql.js';

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
  summary: 'Channels: visits, leads and orders by medium and channel group, first or last touch',
  description:
    `Rows by \`channel\` (the channel group: ${channelGroups.join(', ')}), \`medium\` and \`medium_name\` (the medium of the media registry, ` +
    'GET /v1/admin/channels: the operator\'s media, then the defaults; the first matching wins; none matching: the referrer domain as a `referral`, ' +
    'the utm_source as `other`, else `direct`), classified from the UTM values, referrer domain and ad click id type (gclid, fbclid, …) of the ' +
    'credited touch, and its `utm_source`, `utm_medium`, `utm_campaign` and `referrer_domain` (a visit: a session with a page view, credited by its first page view). `model=last` (default): everything counts ' +
    'for the latest visit that began at or before its session (a session without a page view, e.g. a server-sent order, is no visit); `model=first`: for the person\'s first session in the window and the `lookback` days before it (default 30). ' +
    '`visits`, `people`, `leads` (people who became known: their first event with a user id or identify call falls in the window), `orders` ' +
    '(Order Completed events) and `revenue`. MQLs are not counted: stage changes are not lake rows yet.',
  query: channelsQuery,
  render(p, today, ctx) {
    const window = windowOf(p, today);
    const model = p.model ?? 'last';
    const lookback = p.lookback ?? defaultLookbackDays;
    const limit = p.limit ?? 100;
    return {
      literals: {
        ...windowLiterals(window, lookback),
        ...sessionLiterals(),
        channel_rules: channelRulesLiteral(ctx.media),
        order_event: sqlString(orderEvent),
        model: sqlString(model),
        limit: sqlInt(limit),
      },
      used: { from: window.from, to: window.to, model, lookback, limit },
    };
  },
});
