/** `pages`: page views, visitors, dwell, entry and exit rates by path or by glob groups (pages.sql). */
import * as z from 'zod/mini';
import { globProblem, intParam, listParam, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { globToRegex, sqlInt, sqlValues } from '../domain/sql.js';

/** Most globs in `group`, and most rows a pages report returns (default 100). */
export const maxPageGroups = 20;
export const maxPageRows = 1000;

export const pagesQuery = z.object({
  ...windowShape,
  group: z.optional(listParam(maxPageGroups, globProblem)),
  limit: z.optional(intParam(1, maxPageRows)),
});

export const pages = defineReport({
  name: 'pages',
  summary: 'Pages: views, visitors, dwell time, entry and exit rates',
  description:
    'By path, or by the globs of `group` (comma-separated, at most 20; `**` any characters, `*` any but `/`; a path counts in every group it matches, ' +
    'paths matching none are left out). `page_views`, `visitors`; dwell: the seconds of Page Ping heartbeats on the same path between a page view ' +
    'and the next page view of the session (0 without heartbeats), as `avg_dwell_seconds` and exact `median_dwell_seconds`; `sessions` that viewed it, ' +
    '`entries` and `exits` (sessions whose first or last page view it is) and `entry_rate`/`exit_rate` (their share of those sessions). ' +
    'Most page views first, `limit` rows (default 100, at most 1000).',
  query: pagesQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const limit = p.limit ?? 100;
    const groups = p.group ? p.group.map((g) => [g, globToRegex(g)]) : [[null, null]];
    return {
      literals: { ...windowLiterals(window), ...sessionLiterals(), groups: sqlValues(['label', 'pattern'], groups), limit: sqlInt(limit) },
      used: { from: window.from, to: window.to, group: p.group ?? null, limit },
    };
  },
});
