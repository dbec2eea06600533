/**
 * "Wait until 09:30 on a weekday in the recipient's time zone", without a date library: Intl knows the
 * zones (functions/shared/zoned-time.ts), which also handles daylight-saving shifts.
 */
import { isTimeZone, localTime, zonedInstant } from '../../shared/zoned-time.js';

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** Time zone used when a profile has none (or an invalid one). */
export const defaultTimeZone = 'UTC';

/**
 * The first instant strictly after `now` whose wall-clock time in `tz` is `time` (HH:MM), on one of
 * `days` (any day when omitted).
 */
export function nextLocalTime(now: Date, tz: string, time: string, days?: readonly string[]): Date {
  const zone = isTimeZone(tz) ? tz : defaultTimeZone;
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const today = localTime(now, zone);
  // Eight days cover "next Monday" from a Monday after the time has passed.
  for (let i = 0; i <= 8; i++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const weekday = weekdays[date.getUTCDay()]!;
    if (days && !days.includes(weekday)) continue;
    const at = zonedInstant(zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, minute);
    if (at.getTime() > now.getTime()) return at;
  }
  throw new Error(`no ${time} on ${days?.join(',')} within eight days`);
}
