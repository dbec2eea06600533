/**
 * Calendar arithmetic in the recipient's time zone: which day and ISO week an instant falls in, when the
 * next day or week opens, and quiet hours. Pure (Intl only), DST-aware: a local time that does not exist
 * (spring forward) resolves to the first instant after the gap, an ambiguous one (fall back) to the
 * earlier of its two instants.
 */

export { isTimeZone, type LocalTime, localTime, zonedInstant } from '../../shared/zoned-time.js';
import { localTime, zonedInstant } from '../../shared/zoned-time.js';

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
