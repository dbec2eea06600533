import { describe, expect, it } from 'vitest';
import { type BroadcastResults, foldResults } from '../../../functions/broadcasts/domain/results.js';
import { emptyShard } from '../../../functions/broadcasts/domain/model.js';
import { pace, pageSize, waitSeconds } from '../../../functions/broadcasts/domain/pace.js';
import { dueAt, scheduleProblem, startOf } from '../../../functions/broadcasts/domain/schedule.js';

describe('broadcast schedule resolution', () => {
  const now = new Date('2026-12-10T03:00:00Z');

  it('sends `now` at once, for everyone', () => {
    expect(startOf('now', now)).toBeUndefined();
    expect(dueAt('now', 'Asia/Tokyo', 'UTC', now)).toEqual(now);
  });

  it('waits for an `at` instant, the same for every zone, and not for one already past', () => {
    expect(startOf({ at: '2026-12-10T09:00:00+09:00' }, now)).toBeUndefined(); // 00:00Z: passed
    expect(startOf({ at: '2026-12-11T09:00:00+09:00' }, now)).toEqual(new Date('2026-12-11T00:00:00Z'));
    expect(dueAt({ at: '2026-12-11T09:00:00+09:00' }, 'America/New_York', 'UTC', now)).toEqual(new Date('2026-12-11T00:00:00Z'));
  });

  it('resolves a local time in each recipient zone, the default zone for those without one', () => {
    const s = { localTime: '09:00', date: '2026-12-10' };
    expect(dueAt(s, 'Asia/Tokyo', 'UTC', now).toISOString()).toBe('2026-12-10T00:00:00.000Z');
    expect(dueAt(s, 'America/New_York', 'UTC', now).toISOString()).toBe('2026-12-10T14:00:00.000Z');
    expect(dueAt(s, undefined, 'Europe/Berlin', now).toISOString()).toBe('2026-12-10T08:00:00.000Z');
    expect(dueAt(s, 'Not/AZone', 'Europe/Berlin', now).toISOString()).toBe('2026-12-10T08:00:00.000Z');
    expect(dueAt({ ...s, defaultTimeZone: 'Asia/Kolkata' }, undefined, 'Europe/Berlin', now).toISOString()).toBe('2026-12-10T03:30:00.000Z');
  });

  it('answers a due time already past for a zone where the local time has passed today (sent at once)', () => {
    // 09:00 in Tokyo was 00:00Z; at 03:00Z it has passed: due is in the past, the page sends at once.
    const due = dueAt({ localTime: '09:00', date: '2026-12-10' }, 'Asia/Tokyo', 'UTC', now);
    expect(due.getTime()).toBeLessThan(now.getTime());
  });

  it('starts a local-time broadcast when the first zone (UTC+14) reaches the time', () => {
    expect(startOf({ localTime: '09:00', date: '2026-12-11' }, now)?.toISOString()).toBe('2026-12-10T19:00:00.000Z');
  });

  it('refuses a date that is no calendar date, or too far ahead, naming the field', () => {
    expect(scheduleProblem({ localTime: '09:00', date: '2026-02-30' }, now)).toMatchObject({ field: 'schedule.date' });
    expect(scheduleProblem({ at: '2027-06-01T00:00:00Z' }, now)).toMatchObject({ field: 'schedule.at' });
    expect(scheduleProblem({ localTime: '09:00', date: '2026-12-24' }, now)).toBeUndefined();
  });
});

describe('pacing to the SES rate', () => {
  it('reads about 10 s of a shard\'s share per page, at least 1, at most 500', () => {
    expect(pageSize(200, 16)).toBe(125);
    expect(pageSize(14, 16)).toBe(8);
    expect(pageSize(1, 16)).toBe(1);
    expect(pageSize(100_000, 16)).toBe(500);
  });

  it('waits what the sent mails need at rate / shards, less the page\'s own time, rounded up', () => {
    expect(waitSeconds(125, 200, 16, 0)).toBe(10);
    expect(waitSeconds(125, 200, 16, 2_500)).toBe(8); // 10 − 2.5 → 7.5 → 8
    expect(waitSeconds(8, 14, 16, 0)).toBe(10); // 8 / 0.875 = 9.14 → 10
    expect(waitSeconds(0, 14, 16, 0)).toBe(0); // nothing sent: no rate used
    expect(waitSeconds(10, 200, 16, 5_000)).toBe(0); // the page took longer than its share
  });

  it('gives back the rounding of whole-second waits on the next page, never more than 1 s of it', () => {
    const first = pace(125, 200, 16, 625); // 9.375 s needed → 10, 0.625 s too long
    expect(first).toEqual({ waitSeconds: 10, carry: -0.625 });
    expect(pace(125, 200, 16, 625, first.carry)).toEqual({ waitSeconds: 9, carry: -0.25 });
    // Idle pages cannot bank more than 1 s of rate for a later burst.
    expect(pace(0, 200, 16, 0, -50).carry).toBe(-1);
    // Over 100 pages the waits add up to what the rate needs (within a second).
    let carry = 0;
    let waited = 0;
    for (let i = 0; i < 100; i++) {
      const p = pace(125, 200, 16, 625, carry);
      waited += p.waitSeconds + 0.625;
      carry = p.carry;
    }
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(1001);
  });
});

describe('results folding', () => {
  it('sums shards and feedback; skipped by reason with a total', () => {
    const a = { ...emptyShard(0), targeted: 10, sent: 6, skipped: { 'cap-reached': 3 }, deferred: 1, deferrals: { 'quiet-hours': 1 } };
    const b = { ...emptyShard(1), targeted: 5, sent: 2, skipped: { 'cap-reached': 1, unsubscribed: 2 }, deferred: 0, deferrals: { 'quiet-hours': 1 } };
    const r: BroadcastResults = foldResults([a, b], [{ opened: 2, clicked: 1 }, { opened: 1, bounced: 1 }]);
    expect(r).toEqual({
      targeted: 15,
      sent: 8,
      skipped: { total: 6, byReason: { 'cap-reached': 4, unsubscribed: 2 } },
      deferred: 1,
      deferrals: { 'quiet-hours': 2 },
      opened: 3,
      clicked: 1,
      unsubscribed: 0,
      bounced: 1,
    });
  });
});
