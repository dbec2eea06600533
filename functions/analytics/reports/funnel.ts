/** `funnel`: ordered steps within a time window, per person (funnel.sql). */
import * as z from 'zod/mini';
import { BadRequestError } from '../../shared/errors.js';
import { globProblem, listParam, windowLiterals, windowOf, windowShape } from '../domain/params.js';
import { defineReport } from '../domain/report.js';
import { globToRegex, sqlInt, sqlValues } from '../domain/sql.js';

/** Most steps: funnel.sql writes its chain out for this many. */
export const maxFunnelSteps = 6;
/** Longest `within` (from the first step to the last): 90 days. Default 7 days. */
export const maxFunnelWithinHours = 90 * 24;
export const defaultFunnelWithin = '7d';

/** A step: a page path glob (`/pricing`, `/products/**`) or `event:<name>` (`event:Form Submitted`). */
export type FunnelStep = { kind: 'page'; glob: string } | { kind: 'event'; name: string };

export function parseStep(text: string): FunnelStep {
  if (text.startsWith('event:') && text.length > 'event:'.length) return { kind: 'event', name: text.slice('event:'.length).trim() };
  return { kind: 'page', glob: text };
}

function stepProblem(text: string): string | undefined {
  const step = parseStep(text);
  if (step.kind === 'page') return globProblem(step.glob) && `"${text}": a path glob starting with / or event:<name>`;
  return step.name.length > 256 ? `"${text}": event name longer than 256 characters` : undefined;
}

/** `7d`, `12h` or a number of days: the window in hours. */
function withinHours(text: string): number | undefined {
  const m = /^(\d{1,5})([dh]?)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'h' ? 1 : 24);
}

export const funnelQuery = z.object({
  ...windowShape,
  steps: listParam(maxFunnelSteps, stepProblem),
  within: z.optional(z.string().check(z.regex(/^\d{1,5}[dh]?$/, 'a duration like 7d or 12h'))),
});

export const funnel = defineReport({
  name: 'funnel',
  summary: 'Funnel: people reaching ordered steps within a time window',
  description:
    '`steps`: 2 to 6 comma-separated steps, each a page path glob (`/pricing`, `/products/**`) or `event:<name>` (`event:Form Submitted`). ' +
    'A person enters at their first step-1 event in the window; each next step counts when it happens after the previous step and at most `within` ' +
    '(`7d` default, `12h`, at most 90 days) after the entry. Per step: `people`, `conversion` (share of those who entered), `from_previous`, ' +
    '`drop_off` (people lost since the previous step) and `median_seconds_from_previous` (exact median).',
  query: funnelQuery,
  render(p, today) {
    const window = windowOf(p, today);
    if (p.steps.length < 2) throw new BadRequestError('steps', 'at least 2 steps');
    const within = p.within ?? defaultFunnelWithin;
    const hours = withinHours(within)!;
    if (hours < 1 || hours > maxFunnelWithinHours) throw new BadRequestError('within', `between 1h and ${maxFunnelWithinHours / 24}d`);
    const rows = p.steps.map((text, i) => {
      const step = parseStep(text);
      return step.kind === 'page' ? [i + 1, 'page', globToRegex(step.glob), text] : [i + 1, 'event', step.name, text];
    });
    return {
      literals: {
        ...windowLiterals(window),
        steps: sqlValues(['step', 'kind', 'pattern', 'label'], rows),
        step_count: sqlInt(rows.length),
        within_ms: sqlInt(hours * 3_600_000),
      },
      used: { from: window.from, to: window.to, steps: p.steps, within },
    };
  },
});
