import { describe, expect, it } from 'vitest';
import { countersFor, defaultCaps, fullCounters, reopensAt, staleAttributes } from '../../../functions/sending/domain/caps.js';
import {
  dayKey,
  nextDayStart,
  nextWeekStart,
  parseQuietHours,
  quietHoursEnd,
  weekKey,
  zonedInstant,
} from '../../../functions/sending/domain/windows.js';

const at = (iso: string) => new Date(iso);
const quiet = parseQuietHours('21:00-08:00')!;

describe('cap windows in the recipient time zone', () => {
  it('puts one instant on different local days in Tokyo and Los Angeles', () => {
    const instant = at('2025-01-15T20:00:00Z');
    expect(dayKey(instant, 'Asia/Tokyo')).toBe('2025-01-16');
    expect(dayKey(instant, 'America/Los_Angeles')).toBe('2025-01-15');
  });

  it('opens the next day at local midnight', () => {
    expect(nextDayStart(at('2025-01-15T20:00:00Z'), 'Asia/Tokyo').toISOString()).toBe('2025-01-16T15:00:00.000Z');
    expect(nextDayStart(at('2025-01-15T20:00:00Z'), 'America/Los_Angeles').toISOString()).toBe('2025-01-16T08:00:00.000Z');
  });

  it('knows the day after spring forward starts at the summer offset (New York)', () => {
    // 2025-03-09 02:00 EST → 03:00 EDT: that day has 23 hours.
    expect(nextDayStart(at('2025-03-08T17:00:00Z'), 'America/New_York').toISOString()).toBe('2025-03-09T05:00:00.000Z');
    expect(nextDayStart(at('2025-03-09T17:00:00Z'), 'America/New_York').toISOString()).toBe('2025-03-10T04:00:00.000Z');
  });

  it('knows the day after fall back starts at the winter offset (Berlin)', () => {
    // 2025-10-26 03:00 CEST → 02:00 CET: that day has 25 hours.
    expect(nextDayStart(at('2025-10-26T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2025-10-26T23:00:00.000Z');
    expect(dayKey(at('2025-10-26T00:30:00Z'), 'Europe/Berlin')).toBe('2025-10-26');
  });

  it('starts a day whose midnight does not exist at the end of the gap (Santiago, DST at 00:00)', () => {
    // 2025-09-07 00:00 -04 → 01:00 -03 in America/Santiago.
    expect(nextDayStart(at('2025-09-06T15:00:00Z'), 'America/Santiago').toISOString()).toBe('2025-09-07T04:00:00.000Z');
    expect(zonedInstant('America/Santiago', 2025, 9, 7, 0, 30).toISOString()).toBe('2025-09-07T04:00:00.000Z');
  });

  it('resolves an ambiguous local time to its earlier instant', () => {
    // 2025-11-02 01:30 happens twice in New York: EDT (05:30Z) then EST (06:30Z).
    expect(zonedInstant('America/New_York', 2025, 11, 2, 1, 30).toISOString()).toBe('2025-11-02T05:30:00.000Z');
  });

  it('uses ISO weeks that start on Monday and cross years', () => {
    expect(weekKey(at('2024-12-30T12:00:00Z'), 'UTC')).toBe('2025-W01');
    expect(weekKey(at('2021-01-03T12:00:00Z'), 'UTC')).toBe('2020-W53');
    // Sunday 23:30 in Tokyo is already Monday: a new week there, not in UTC.
    expect(weekKey(at('2025-01-19T15:30:00Z'), 'Asia/Tokyo')).toBe('2025-W04');
    expect(weekKey(at('2025-01-19T15:30:00Z'), 'UTC')).toBe('2025-W03');
    expect(nextWeekStart(at('2025-01-15T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2025-01-19T23:00:00.000Z');
  });
});

describe('quiet hours', () => {
  it('defers a send at 22:00 recipient time to 08:00 the next morning', () => {
    expect(quietHoursEnd(at('2025-01-15T13:00:00Z'), 'Asia/Tokyo', quiet)?.toISOString()).toBe('2025-01-15T23:00:00.000Z');
  });

  it('defers a send at 07:30 to 08:00 the same morning', () => {
    expect(quietHoursEnd(at('2025-01-15T22:30:00Z'), 'Asia/Tokyo', quiet)?.toISOString()).toBe('2025-01-15T23:00:00.000Z');
  });

  it('lets a send at noon through', () => {
    expect(quietHoursEnd(at('2025-01-15T03:00:00Z'), 'Asia/Tokyo', quiet)).toBeUndefined();
  });

  it('ends at 08:00 local time on the night clocks spring forward', () => {
    expect(quietHoursEnd(at('2025-03-09T05:00:00Z'), 'America/New_York', quiet)?.toISOString()).toBe('2025-03-09T12:00:00.000Z');
  });

  it('supports a span within one day and turning them off', () => {
    const lunch = parseQuietHours('12:00-13:00')!;
    expect(quietHoursEnd(at('2025-01-15T12:30:00Z'), 'UTC', lunch)?.toISOString()).toBe('2025-01-15T13:00:00.000Z');
    expect(quietHoursEnd(at('2025-01-15T23:00:00Z'), 'UTC', lunch)).toBeUndefined();
    expect(quietHoursEnd(at('2025-01-15T23:00:00Z'), 'UTC', parseQuietHours('off')!)).toBeUndefined();
    expect(parseQuietHours('9pm-8am')).toBeUndefined();
  });
});

describe('send counter windows', () => {
  const now = at('2025-01-15T20:00:00Z');

  it('counts marketing per local day and week, plus a scenario cap when one is configured', () => {
    const caps = { ...defaultCaps, scenarios: { 'cart-reminder': { perDay: 1 } } };
    const counters = countersFor(now, 'Asia/Tokyo', 'marketing', 'cart-reminder', caps);
    expect(counters.map((c) => [c.attr, c.limit])).toEqual([
      ['md#2025-01-16', 1],
      ['mw#2025-W03', 3],
      ['sd#cart-reminder#2025-01-16', 1],
    ]);
  });

  it('counts transactional mail on its own counters, never the marketing ones', () => {
    const counters = countersFor(now, 'UTC', 'transactional', undefined, defaultCaps);
    expect(counters.map((c) => c.attr)).toEqual(['td#2025-01-15', 'tw#2025-W03']);
  });

  it('finds the full windows and when the last of them reopens', () => {
    const counters = countersFor(now, 'UTC', 'marketing', undefined, defaultCaps);
    const full = fullCounters(counters, { 'md#2025-01-15': 1, 'mw#2025-W03': 3 });
    expect(full.map((c) => c.window)).toEqual(['day', 'week']);
    expect(reopensAt(full).toISOString()).toBe('2025-01-20T00:00:00.000Z');
    expect(fullCounters(counters, { 'md#2025-01-14': 1, 'mw#2025-W03': 2 })).toEqual([]);
  });

  it('drops counters of past windows and claims past their retention, keeping the current ones', () => {
    const counters = countersFor(now, 'UTC', 'marketing', undefined, defaultCaps);
    const item = {
      'md#2025-01-14': 1,
      'md#2025-01-15': 1,
      'mw#2025-W03': 2,
      'k#old': { at: now.getTime() - 8 * 86_400_000, counters: [] },
      'k#new': { at: now.getTime() - 60_000, counters: [] },
    };
    expect(staleAttributes(item, counters, now).sort()).toEqual(['k#old', 'md#2025-01-14']);
  });
});
