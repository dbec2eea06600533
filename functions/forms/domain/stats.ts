/**
 * Stats of a form (or landing page) over a period, from the daily counters the submit path and the pages
 * write (`fstat#<formId>` / `d#<YYYY-MM-DD>`: views, submissions, refused). Pure.
 */
import type { FormStats } from './model.js';

/** Days a stats request covers: `?days=` default and most (one counter item a day: a year is one Query page). */
export const statsLimits = { defaultDays: 30, maxDays: 366 } as const;

/** One day's counters as stored (an attribute never incremented is absent). */
export interface DailyCounters {
  date: string;
  views?: number;
  submissions?: number;
  refused?: number;
}

const dayMs = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC dates of the `days` days ending with `now`'s day: `from` and `to` inclusive. */
export function dayRange(now: Date, days: number): { from: string; to: string } {
  const to = dateOf(now.getTime());
  return { from: dateOf(Date.parse(`${to}T00:00:00Z`) - (days - 1) * dayMs), to };
}

/** submissions / views, to 4 decimal places (0 without views). */
export const conversionRate = (submissions: number, views: number) => (views > 0 ? Math.round((submissions / views) * 10_000) / 10_000 : 0);

/** Sums the counters from `from` to `to` (inclusive); every day of the period is in `days`, oldest first, zeros where nothing was counted. */
export function statsOver(rows: readonly DailyCounters[], from: string, to: string): FormStats {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const days: FormStats['days'] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); ms <= end; ms += dayMs) {
    const date = dateOf(ms);
    const r = byDate.get(date);
    days.push({ date, views: r?.views ?? 0, submissions: r?.submissions ?? 0, refused: r?.refused ?? 0 });
  }
  const sum = (k: 'views' | 'submissions' | 'refused') => days.reduce((n, d) => n + d[k], 0);
  const views = sum('views');
  const submissions = sum('submissions');
  return { views, submissions, refused: sum('refused'), conversionRate: conversionRate(submissions, views), days };
}

/** The totals of stats without the days (what the list of forms shows). */
export function summaryOf(stats: FormStats): Omit<FormStats, 'days'> {
  const { days: _days, ...summary } = stats;
  return summary;
}
