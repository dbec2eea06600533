/** `attribution`: conversions credited to the touches before them, under several models (attribution.sql). */
import * as z from 'zod/mini';
import { channelRulesLiteral } from '../../channels/domain/rules-sql.js';
import { attributionAnswer, attributionModels } from '../domain/attribution.js';
import { dayMs, eventParam, intParam, sessionLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { sqlInt, sqlString, sqlValues } from '../domain/sql.js';
import { orderEvent } from './channels.js';

/** Lookback of a conversion, days: default and bound (the scan reads the previous period and this much more). */
export const defaultAttributionLookbackDays = 30;
export const maxAttributionLookbackDays = 90;
/** Half-life of the time-decay model, days: default and bound. */
export const defaultHalfLifeDays = 7;
export const maxHalfLifeDays = 90;
export const maxAttributionRows = 1000;
/** The track event of a touch recorded offline (functions/channels/offline-routes.ts). */
export const offlineTouchEvent = 'Offline Touch';

/** Conversions read from stage rows: the stage entered (`lead` is becoming known). */
const stageConversions = { lead: 'known', mql: 'mql', sql: 'sql', customer: 'customer' } as const;
const conversionHelp = '`order`, `lead`, `mql`, `sql`, `customer` or `event:<name>`';

const conversionParam = z.string().check(
  z.refine((s) => s === 'order' || s in stageConversions || (s.startsWith('event:') && z.safeParse(eventParam, s.slice(6)).success), `one of ${conversionHelp.replaceAll('`', '')}`),
);

export const attributionQuery = z.object({
  ...windowShape,
  model: z.optional(z.enum(['all', ...attributionModels])),
  conversion: z.optional(conversionParam),
  lookback: z.optional(intParam(1, maxAttributionLookbackDays)),
  halfLife: z.optional(intParam(1, maxHalfLifeDays)),
  limit: z.optional(intParam(1, maxAttributionRows)),
});

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

export const attribution = defineReport({
  name: 'attribution',
  summary: 'Attribution: conversions credited to the touches before them, by model, medium and campaign',
  description:
    `Conversions (\`conversion\`: ${conversionHelp}; default \`order\`: Order Completed, with its revenue) credited to the touches at or before them within \`lookback\` days ` +
    `(default ${defaultAttributionLookbackDays}, at most ${maxAttributionLookbackDays}). A touch is a visit (its session's first page view) or an \`${offlineTouchEvent}\` event, classified by the media registry. ` +
    '`model`: `first`, `last`, `linear`, `position` (40/20/40; one touch 100%, two 50/50), `time_decay` (weights 2^(-age/`halfLife` days), default 7) or `all` (default), side by side. ' +
    'Direct visits earn credit only when the conversion has no other touch in its lookback (last non-direct click). A conversion without a touch credits `(unattributed)`. ' +
    'Rows per model, channel group, medium and campaign (lower case): `touches` (in the period), `conversions` (fractional credit), `revenue` (credited), `cost` (ad costs of the medium and campaign; ' +
    'null when no cost source), `cpa`, `roas`, the same for the previous period of equal length (`prev_*`) and `*_change` ((now - before) / before). `totals` per model. ' +
    `Stage conversions (lead, mql, sql, customer) come from stage rows, which the lake holds from this release on. \`limit\` rows per model (default 100, at most ${maxAttributionRows}).`,
  query: attributionQuery,
  render(p, today, ctx) {
    const window = windowOf(p, today);
    const model = p.model ?? 'all';
    const conversion = p.conversion ?? 'order';
    const lookback = p.lookback ?? defaultAttributionLookbackDays;
    const halfLife = p.halfLife ?? defaultHalfLifeDays;
    const limit = p.limit ?? 100;
    const previousFrom = dayOf(msOf(window.from) - window.days * dayMs);
    const previousTo = dayOf(msOf(window.from) - dayMs);
    const stage = conversion in stageConversions ? stageConversions[conversion as keyof typeof stageConversions] : null;
    const event = stage ? null : conversion === 'order' ? orderEvent : conversion.slice('event:'.length);
    const models = model === 'all' ? attributionModels : [model];
    return {
      literals: {
        scan_from_dt: sqlString(dayOf(msOf(previousFrom) - lookback * dayMs)),
        prev_from_dt: sqlString(previousFrom),
        from_dt: sqlString(window.from),
        to_dt: sqlString(window.to),
        ...sessionLiterals(),
        channel_rules: channelRulesLiteral(ctx.media),
        offline_event: sqlString(offlineTouchEvent),
        conversion_event: sqlString(event),
        conversion_stage: sqlString(stage),
        lookback_ms: sqlInt(lookback * dayMs),
        half_life_ms: sqlInt(halfLife * dayMs),
        models: sqlValues(['model'], models.map((m) => [m])),
        limit: sqlInt(limit),
      },
      used: { from: window.from, to: window.to, previousFrom, previousTo, model, conversion, lookback, halfLife, limit },
    };
  },
  shape: (rows) => ({ ...attributionAnswer(rows) }),
});
