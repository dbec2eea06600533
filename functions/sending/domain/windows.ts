/**
 * Calendar arithmetic in the recipient's time zone: which day and ISO week an instant falls in, when the
 * next day or week opens, and quiet hours. Pure (Intl only), DST-aware: a local time that does not exist
 * (spring forward) resolves to the first instant after the gap, an ambiguous one (fall back) to the
 * earlier of its two instants.
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

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of the local date. */
export function dayKey(instant: Date, timeZone: string): string {
  const l = localTime(instant, timeZone);
  return `${l.year}-${pad(l.month)}-${pad(l.day)}`;
}

/** ISO 8601 week of the local date, `YYYY-Www` (weeks start on Monday; week 1 holds the first Thursday). */
export function weekKey(instant: Date, timeZone: string): string {
  const l = localTime(instant, timeZone);
  // The Thursday of this week decides the ISO year.
  const thursday = new Date(Date.UTC(l.year, l.month - 1, l.day + (4 - l.weekday)));
  const isoYear = thursday.getUTCFullYear();
  const week = Math.ceil(((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${isoYear}-W${pad(week)}`;
}

/** When the next local day begins (local midnight, or the first instant after a DST gap at midnight). */
export function nextDayStart(instant: Date, timeZone: string): Date {
  const l = localTime(instant, timeZone);
  return zonedInstant(timeZone, l.year, l.month, l.day + 1);
}

/** When the next ISO week begins: Monday 00:00 local. */
export function nextWeekStart(instant: Date, timeZone: string): Date {
  const l = localTime(instant, timeZone);
  return zonedInstant(timeZone, l.year, l.month, l.day + (8 - l.weekday));
}

/** Quiet hours as minutes after local midnight; `start > end` spans midnight; `start === end` means none. */
export interface QuietHours {
  start: number;
  end: number;
}

/** Parses `HH:MM-HH:MM` (e.g. `21:00-08:00`); an empty string or `off` means no quiet hours. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const t = text.trim();
  if (t === '' || t === 'off') return { start: 0, end: 0 };
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(t);
  if (!m) return undefined;
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

function inQuiet(minutes: number, q: QuietHours): boolean {
  if (q.start === q.end) return false;
  return q.start < q.end ? minutes >= q.start && minutes < q.end : minutes >= q.start || minutes < q.end;
}

/** If `instant` is within quiet hours in `timeZone`, the instant they end; otherwise undefined. */
export function quietHoursEnd(instant: Date, timeZone: string, q: QuietHours): Date | undefined {
  const l = localTime(instant, timeZone);
  const minutes = l.hour * 60 + l.minute;
  if (!inQuiet(minutes, q)) return undefined;
  // Past midnight in a span that crosses it, or inside a same-day span: the end is today.
  const endsToday = q.start > q.end ? minutes < q.end : true;
  const end = zonedInstant(timeZone, l.year, l.month, l.day + (endsToday ? 0 : 1), Math.floor(q.end / 60), q.end % 60);
  // A DST change inside the span can land the computed end at or before now; it has ended then.
  return end.getTime() > instant.getTime() ? end : undefined;
}
