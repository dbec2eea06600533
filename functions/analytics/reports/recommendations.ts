/** `recommendations`: what recommendations earn, per strategy, the model against the held-out control (recommendations.sql). */
import * as z from 'zod/mini';
import type { LakeRecord } from '../domain/engine.js';
import { dayMs, intParam, windowOf, windowLiterals, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { sqlInt, sqlString } from '../domain/sql.js';
import { orderEvent } from './channels.js';

/** Days after a click in which a person's order counts for it: default and bound. */
export const defaultRecommendationDays = 7;
export const maxRecommendationDays = 30;
/** The events the tracker add-on sends (tracker/src/personalize.ts). */
export const recommendationEvents = { viewed: 'Recommendation Viewed', clicked: 'Recommendation Clicked' } as const;

export const recommendationsQuery = z.object({
  ...windowShape,
  days: z.optional(intParam(1, maxRecommendationDays)),
});

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const round4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/** Per strategy: the model's CTR and orders per impression as ratios of the control's (null when either is missing or zero). */
export function recommendationLift(rows: LakeRecord[]) {
  const strategies = [...new Set(rows.map((r) => String(r.strategy)))];
  return strategies.map((strategy) => {
    const of = (variant: string) => rows.find((r) => r.strategy === strategy && r.variant === variant);
    // From the counts, not the rounded rates.
    const rate = (r: LakeRecord | undefined, what: 'clicks' | 'orders') => ratio(num(r?.[what]), num(r?.impressions));
    const model = of('model');
    const control = of('control');
    return {
      strategy,
      ctr: round4(ratio(rate(model, 'clicks'), rate(control, 'clicks'))),
      orders_per_impression: round4(ratio(rate(model, 'orders'), rate(control, 'orders'))),
    };
  });
}

export const recommendations = defineReport({
  name: 'recommendations',
  summary: 'Recommendations: impressions, clicks, CTR and orders after a click, per strategy, model against control',
  description:
    `Per \`strategy\` and \`variant\` (\`model\`, or \`control\`: the held-out share of visitors served the popular list): \`impressions\` ("${recommendationEvents.viewed}" events in the window), ` +
    `\`clicks\` ("${recommendationEvents.clicked}"), \`ctr\`, \`orders\` and \`revenue\` ("${orderEvent}" by the same person at most \`days\` after a click of theirs in the window; ` +
    `default ${defaultRecommendationDays}, at most ${maxRecommendationDays}; each order credited once, to the latest click before it) and \`orders_per_impression\`. ` +
    '`lift` per strategy: the model\'s `ctr` and `orders_per_impression` divided by the control\'s (null when the control has none). ' +
    'Strategy and variant are the events\' `properties.strategy` and `properties.variant` (`(unknown)` when absent).',
  query: recommendationsQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const days = p.days ?? defaultRecommendationDays;
    return {
      literals: {
        ...windowLiterals(window),
        orders_to_dt: sqlString(dayOf(Date.parse(`${window.to}T00:00:00Z`) + days * dayMs)),
        days_ms: sqlInt(days * dayMs),
        viewed_event: sqlString(recommendationEvents.viewed),
        clicked_event: sqlString(recommendationEvents.clicked),
        order_event: sqlString(orderEvent),
      },
      used: { from: window.from, to: window.to, days },
    };
  },
  shape: (rows) => ({ rows, lift: recommendationLift(rows) }),
});
