/**
 * Parameters every report shares, and the schema pieces their own parameters are made of. Query strings
 * arrive as strings: each piece validates and converts, and a bad one is a 400 naming its field
 * (shared/http.ts parseQuery). Lists are comma-separated (API Gateway joins a repeated query key with
 * commas too), so a list value cannot hold a comma. Pure.
 */
import * as z from 'zod/mini';
import '../../shared/zod-messages.js';
import { BadRequestError } from '../../shared/errors.js';
import { lakeLimits } from './lake.js';
import { type SqlLiteral, sqlInt, sqlString } from './sql.js';

/** Longest window a report reads, in days (`from`..`to` inclusive): a year, and one day for a leap year. */
export const maxWindowDays = 366;
/** Window when neither `from` nor `to` is given: the last 30 days up to today (UTC). */
export const defaultWindowDays = 30;

export const dayMs = 86_400_000;

const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

const isoDay = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
  z.refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date'),
);

/** `from` and `to`: UTC days, inclusive. */
export const windowShape = { from: z.optional(isoDay), to: z.optional(isoDay) };

/** A whole number between min and max (a query-string value). */
export const intParam = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,9}$/, 'a whole number')),
    z.pipe(z.transform(Number), z.number().check(z.minimum(min, `at least ${min}`), z.maximum(max, `at most ${max}`))),
  );

/** A page path glob (`/pricing`, `/products/**`, `/blog/*`): starts with `/`, no comma, bounded. */
export const globParam = z.string().check(
  z.regex(/^\/[^,]*$/, 'a path glob starting with /, without commas'),
  z.maxLength(lakeLimits.maxPathChars),
  z.refine(noControl, 'no control characters'),
);

/** An event name (`Form Submitted`): bounded like the lake's event column, no comma. */
export const eventParam = z.string().check(
  z.minLength(1),
  z.maxLength(lakeLimits.maxTextChars),
  z.regex(/^[^,]*$/, 'no commas'),
  z.refine(noControl, 'no control characters'),
);

/** A comma-separated list of 1..max items, each trimmed and checked with `item`. */
export function listParam(max: number, item: (s: string) => string | undefined) {
  return z.pipe(
    z.string().check(
      z.refine((s) => split(s).length > 0, 'at least one item'),
      z.refine((s) => split(s).length <= max, `at most ${max} items`),
      z.superRefine((s, ctx) => {
        for (const i of split(s)) {
          const problem = item(i);
          if (problem !== undefined) return void ctx.addIssue({ code: 'custom', message: problem, input: s });
        }
      }),
    ),
    z.transform(split),
  );
}

function split(s: string): string[] {
  return s
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean);
}

/** A glob as a list item: undefined when valid, else why not. */
export function globProblem(s: string): string | undefined {
  const r = z.safeParse(globParam, s);
  return r.success ? undefined : `"${s}": ${r.error.issues[0]!.message}`;
}

export interface Window {
  from: string;
  to: string;
  days: number;
}

const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The window a report reads: both given, or the missing one a defaultWindowDays window away from the other
 * (`to` defaults to today). `to` before `from`, or more than maxWindowDays, is a 400 naming `to`.
 */
export function windowOf(p: { from?: string | undefined; to?: string | undefined }, today: string): Window {
  const to = p.to ?? (p.from ? dayOf(Math.min(msOf(p.from) + (defaultWindowDays - 1) * dayMs, msOf(today))) : today);
  const from = p.from ?? dayOf(msOf(to) - (defaultWindowDays - 1) * dayMs);
  const days = (msOf(to) - msOf(from)) / dayMs + 1;
  if (days < 1) throw new BadRequestError('to', `must not be before from (${from})`);
  if (days > maxWindowDays) throw new BadRequestError('to', `the window is ${days} days; at most ${maxWindowDays}`);
  return { from, to, days };
}

/**
 * The literals of a window: `{{scan_from_dt}}` and `{{to_dt}}`, the partitions read (strings compare as
 * the days they name). Reports that look back (first visits, first touches) pass `lookbackDays`: the scan
 * starts that many days before `from`, and `{{from_dt}}` marks where the window itself starts.
 */
export function windowLiterals(w: Window, lookbackDays?: number): Record<string, SqlLiteral> {
  const scanFrom = lookbackDays === undefined ? w.from : dayOf(msOf(w.from) - lookbackDays * dayMs);
  return {
    scan_from_dt: sqlString(scanFrom),
    to_dt: sqlString(w.to),
    ...(lookbackDays === undefined ? {} : { from_dt: sqlString(w.from) }),
  };
}

/** Epoch ms of a window's start, and of the instant after its last day. */
export const windowMs = (w: Window) => ({ start: msOf(w.from), end: msOf(w.to) + dayMs });



/** Inactivity that ends a session (a visit), as analytics tools commonly count: 30 minutes. */
export const sessionGapMinutes = 30;

/** `{{session_gap_ms}}` of the sessions fragment. */
export const sessionLiterals = (): Record<string, SqlLiteral> => ({ session_gap_ms: sqlInt(sessionGapMinutes * 60_000) });

/** Days read before `from` by reports that look back (first visits, first touches): default and bound. */
export const defaultLookbackDays = 30;
export const maxLookbackDays = 366;
