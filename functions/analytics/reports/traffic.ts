/** `traffic`: visits, visitors, new vs returning and known vs anonymous visitors, by day (traffic.sql). */
import * as z from 'zod/mini';
import { defaultLookbackDays, intParam, maxLookbackDays, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import type { LakeRecord } from '../domain/engine.js';
import { defineReport } from '../domain/report.js';

export const trafficQuery = z.object({ ...windowShape, lookback: z.optional(intParam(0, maxLookbackDays)) });

export const traffic = defineReport({
  name: 'traffic',
  summary: 'Visits and visitors by day',
  description:
    'By UTC day: `visits` (sessions: a person\'s events split at 30 minutes of inactivity, counted on the day they start), `visitors` ' +
    '(people with an event that day; a person is a profile after following merges, so anonymous history counts as theirs), ' +
    '`new_visitors` (the day is the first the person was seen in the window and the `lookback` days before it, default 30, at most 366) ' +
    'and `returning_visitors`; `known_visitors` (by the end of that day the person had sent a user id or an identify call) and `anonymous_visitors`. ' +
    'Days without events are left out. `totals`: the same counts over the whole window (each person once; new = first seen in the window, ' +
    'returning = seen in the lookback before it; known = by the end of the window); zeros when nobody visited.',
  query: trafficQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const lookback = p.lookback ?? defaultLookbackDays;
    return {
      literals: { ...windowLiterals(window, lookback), ...sessionLiterals() },
      used: { from: window.from, to: window.to, lookback },
    };
  },
  shape(rows) {
    // traffic.sql answers the window as one more row, with day NULL.
    const window = rows.find((r) => r.day === null);
    return { rows: rows.filter((r) => r.day !== null), totals: trafficTotals(window) };
  },
});

/** The counts of the whole window (`totals` of the answer). */
export interface TrafficTotals {
  visits: number;
  visitors: number;
  new_visitors: number;
  returning_visitors: number;
  known_visitors: number;
  anonymous_visitors: number;
}

const totalKeys = ['visits', 'visitors', 'new_visitors', 'returning_visitors', 'known_visitors', 'anonymous_visitors'] as const;

function trafficTotals(row: LakeRecord | undefined): TrafficTotals {
  return Object.fromEntries(totalKeys.map((k) => [k, Number(row?.[k] ?? 0)])) as unknown as TrafficTotals;
}
