/**
 * "Wait until 09:30 on a weekday in the recipient's time zone", without a date library: Intl knows the
 * zones, and two passes of offset correction handle daylight-saving shifts.
 */
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** Time zone used when a profile has none (or an invalid one). */
export const defaultTimeZone = 'UTC';

export function isTimeZone(tz: string | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(tz: string, at: Date) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(at)) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: p.weekday!.slice(0, 3).toLowerCase() as Weekday,
  };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMs(tz: string, at: Date): number {
  const p = partsIn(tz, at);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a wall-clock time in a zone (a time skipped by a DST jump resolves to just after it). */
function zonedInstant(tz: string, year: number, month: number, day: number, hour: number, minute: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMs(tz, new Date(wall));
  guess = wall - offsetMs(tz, new Date(guess));
  return new Date(guess);
}

/**
 * The first instant strictly after `now` whose wall-clock time in `tz` is `time` (HH:MM), on one of
 * `days` (any day when omitted).
 */
export function nextLocalTime(now: Date, tz: string, time: string, days?: readonly string[]): Date {
  const zone = isTimeZone(tz) ? tz : defaultTimeZone;
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const today = partsIn(zone, now);
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
