/**
 * Wall-clock time in IANA time zones without a date library: Intl knows the zones. Pure, DST-aware: a
 * local time that does not exist (spring forward) resolves to the first instant after the gap, an
 * ambiguous one (fall back) to the earlier of its two instants. Shared by sending (cap windows, quiet
 * hours) and scenarios (waits until a time of day).
 */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of `instant` in `timeZone`. */
export function localTime(instant: Date | number, timeZone: string): LocalTime & { second: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdays[parts.weekday!] ?? 1,
  };
}

/** Offset of the zone from UTC at `t` (ms, positive east of Greenwich). */
function offsetAt(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return wall - Math.floor(t / 1000) * 1000;
}

function wallOf(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
}

const hourMs = 3_600_000;

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and time. Out-of-range
 * fields roll over (day 32 is the 1st of the next month), as with Date.UTC.
 */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Zones change offset at most once within a day: the offsets 12 h either side cover both candidates.
  const candidates = [...new Set([offsetAt(wall - 12 * hourMs, timeZone), offsetAt(wall + 12 * hourMs, timeZone)])].map(
    (offset) => wall - offset,
  );
  const exact = candidates.filter((t) => wallOf(t, timeZone) === wall);
  if (exact.length > 0) return new Date(Math.min(...exact));
  // The wall time falls in a gap: find the first instant whose wall time is at or after it.
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (wallOf(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
