/** `paths`: the page read after a path, and the first pages of sessions that reached a goal (paths.sql). */
import * as z from 'zod/mini';
import { eventParam, globParam, intParam, sessionLiterals, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { globToRegex, sqlInt, sqlString } from '../domain/sql.js';

/** Most pages in a goal sequence (`steps`, default 5), and most rows of each kind (`limit`, default 20). */
export const maxSequenceSteps = 10;
export const maxPathRows = 100;
export const defaultGoal = 'Form Submitted';

export const pathsQuery = z.object({
  ...windowShape,
  after: z.optional(globParam),
  goal: z.optional(eventParam),
  steps: z.optional(intParam(1, maxSequenceSteps)),
  limit: z.optional(intParam(1, maxPathRows)),
});

export const paths = defineReport({
  name: 'paths',
  summary: 'Next pages after a path, and page sequences that led to a goal',
  description:
    'Rows of kind `next` (only with `after`, a path or glob): for page views at `after`, the page viewed next in the same session (`(exit)` when none), ' +
    'with `sessions` (page views) and `share`. Rows of kind `sequence`: sessions in which the `goal` event (default `Form Submitted`) happened, by the ' +
    'first `steps` pages (default 5, at most 10) viewed up to the goal, joined with ` > ` (`(no page)` when none). Most common first, `limit` rows of ' +
    'each kind (default 20, at most 100).',
  query: pathsQuery,
  render(p, today) {
    const window = windowOf(p, today);
    const goal = p.goal ?? defaultGoal;
    const steps = p.steps ?? 5;
    const limit = p.limit ?? 20;
    return {
      literals: {
        ...windowLiterals(window),
        ...sessionLiterals(),
        after_pattern: sqlString(p.after ? globToRegex(p.after) : null),
        goal: sqlString(goal),
        steps: sqlInt(steps),
        limit: sqlInt(limit),
      },
      used: { from: window.from, to: window.to, after: p.after ?? null, goal, steps, limit },
    };
  },
});
