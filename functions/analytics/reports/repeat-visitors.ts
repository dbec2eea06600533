/** `repeat-visitors`: people who came back often without doing something, e.g. buying (repeat-visitors.sql). */
import * as z from 'zod/mini';
import { dayMs, eventParam, globParam, intParam, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { globToRegex, sqlInt, sqlString } from '../domain/sql.js';

/** Bounds: `visits` 2..100 (default 3), `days` 1..366 (default 7), members returned at most 10,000. */
export const maxRepeatVisits = 100;
export const maxRepeatDays = 366;
export const maxRepeatMembers = 10_000;
export const defaultWithout = 'Order Completed';

export const repeatVisitorsQuery = z.object({
  ...windowShape,
  visits: z.optional(intParam(2, maxRepeatVisits)),
  days: z.optional(intParam(1, maxRepeatDays)),
  path: z.optional(globParam),
  without: z.optional(z.union([z.literal(''), eventParam])),
  format: z.optional(z.enum(['rows', 'ids'])),
  limit: z.optional(intParam(1, maxRepeatMembers)),
});

export const repeatVisitors = defineReport({
  name: 'repeat-visitors',
  summary: 'Repeat visitors who did not convert',
  description:
    'People with at least `visits` sessions (default 3, 2-100) starting within `days` days (default 7, at most 366) of each other in the window; ' +
    'with `path` (a glob), only sessions that viewed it count; people with the `without` event (default `Order Completed`; empty: nobody is excluded) ' +
    'in the window are left out. Rows: `profile_id`, `visits` (sessions counted in the window), `last_seen_ms` (their last event, epoch ms), ' +
    'most visits first, at most `limit` (default and maximum 10,000); `members` is the count of all. `format=ids` answers `ids` (profile ids) ' +
    'instead of rows, for a segment or a scenario.',
  query: repeatVisitorsQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const visits = p.visits ?? 3;
    const days = p.days ?? 7;
    const without = p.without === undefined ? defaultWithout : p.without || null;
    const limit = p.limit ?? maxRepeatMembers;
    return {
      literals: {
        ...windowLiterals(window),
        ...sessionLiterals(),
        path_pattern: sqlString(p.path ? globToRegex(p.path) : null),
        visits_after_first: sqlInt(visits - 1),
        days_ms: sqlInt(days * dayMs),
        without: sqlString(without),
        limit: sqlInt(limit),
      },
      used: { from: window.from, to: window.to, visits, days, path: p.path ?? null, without, format: p.format ?? 'rows', limit },
    };
  },
  shape(rows, p) {
    const members = Number(rows[0]?.members ?? 0);
    if (p.format === 'ids') return { members, ids: rows.map((r) => r.profile_id) };
    return { members, rows: rows.map(({ members: _, ...r }) => r) };
  },
});
