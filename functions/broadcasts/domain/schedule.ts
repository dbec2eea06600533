/**
 * When a broadcast's mail is due: now, at an instant, or at a wall-clock time on a date in each
 * recipient's own time zone. Pure (Intl only, DST-aware through shared/zoned-time.ts).
 */
import { isTimeZone, zonedInstant } from '../../shared/zoned-time.js';
import { broadcastLimits, type Schedule } from './model.js';

/** Zones that reach a wall-clock time first and last (UTC+14 and UTC−12): the span a local-time send covers. */
const earliestZone = 'Pacific/Kiritimati';

/** The instant `localTime` on `date` happens in `timeZone`. */
export function localInstant(schedule: { localTime: string; date: string }, timeZone: string): Date {
  const [y, m, d] = schedule.date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = schedule.localTime.split(':').map(Number) as [number, number];
  return zonedInstant(timeZone, y, m, d, hh, mm);
}

/**
 * When one recipient's mail is due: `now` and `at` the same for everyone; a local-time schedule at that
 * time in the recipient's zone (or the default zone), even if it has already passed there (then at once:
 * a zone where the time passed before the broadcast reached it still gets its mail, late rather than never).
 */
export function dueAt(schedule: Schedule, recipientZone: string | undefined, defaultZone: string, now: Date): Date {
  if (schedule === 'now') return now;
  if ('at' in schedule) return new Date(schedule.at);
  const zone = recipientZone && isTimeZone(recipientZone) ? recipientZone : (schedule.defaultTimeZone ?? defaultZone);
  return localInstant(schedule, zone);
}

/** When the state machine starts sending: the schedule's earliest due time (undefined: at once). */
export function startOf(schedule: Schedule, now: Date): Date | undefined {
  if (schedule === 'now') return undefined;
  const at = 'at' in schedule ? new Date(schedule.at) : localInstant(schedule, earliestZone);
  return at.getTime() > now.getTime() ? at : undefined;
}

/** Why a schedule cannot be accepted (undefined: fine); names the field. */
export function scheduleProblem(schedule: Schedule, now: Date): { field: string; message: string } | undefined {
  if (schedule === 'now') return undefined;
  const latest = now.getTime() + broadcastLimits.maxScheduleAheadDays * 86_400_000;
  if ('at' in schedule) {
    const at = Date.parse(schedule.at);
    if (at > latest) return { field: 'schedule.at', message: `at most ${broadcastLimits.maxScheduleAheadDays} days ahead` };
    return undefined;
  }
  const [y, m, d] = schedule.date.split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return { field: 'schedule.date', message: 'not a calendar date' };
  if (localInstant(schedule, earliestZone).getTime() > latest) return { field: 'schedule.date', message: `at most ${broadcastLimits.maxScheduleAheadDays} days ahead` };
  return undefined;
}
