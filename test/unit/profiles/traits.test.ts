import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, maxEntryPathChars, profileItemBudgetBytes, type ScoringState, traitBounds } from '../../../functions/profiles/domain/profile.js';
import { applyIdentity, writeModeOf, writeTraits } from '../../../functions/profiles/domain/traits.js';
import { decayFactor } from '../../../functions/scoring/domain/decay.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents } from '../../../functions/scoring/domain/score.js';
import { collected, day, pageView } from '../../helpers/events.js';

const defaultRules = parseRules(readFileSync('templates/rules/scoring.yaml', 'utf8'));
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');
const total = (s: ScoringState) => s.score.value * decayFactor(s.score.asOf, day(0, 5), defaultRules.halfLifeDays) + s.score.fit;

/** A known lead as the default rules see it: company on file (fit 5), two pricing views, a product page = 25. */
function lead(): ScoringState {
  const events = [
    collected({ type: 'identify', anonymousId: 'lead-browser', userId: 'u-lead', traits: { email: 'lead@firm.com', company: 'Firm' }, at: day(0) }),
    pageView('/pricing', day(0, 1), { anonymousId: 'lead-browser' }),
    pageView('/pricing', day(0, 2), { anonymousId: 'lead-browser' }),
    pageView('/products/insight', day(0, 3), { anonymousId: 'lead-browser' }),
  ];
  return applyEvents(emptyState('p_lead'), events, defaultRules, day(0, 3)).state;
}

/** What an outsider who knows the address sends: the email, 30 KB of traits, fit bait and a smuggled event name. */
function hostileIdentify(i: number, at = day(0, 4)) {
  const padding = Object.fromEntries(Array.from({ length: 30 }, (_, j) => [`pad_${i}_${j}`, 'x'.repeat(1000)]));
  return collected({
    type: 'identify',
    anonymousId: `attacker-${i}`,
    at,
    traits: { email: 'lead@firm.com', company: 'Evil Corp', title: 'Director', name: 'Not The Lead', timezone: 'Pacific/Kiritimati', ...padding },
    ...({ event: 'Form Submitted', properties: { formId: 'contact' } } as object),
  });
}

describe('who may change a lead through identify', () => {
  it('lets the identify that makes a profile known set everything, and the lead’s own user id change it', () => {
    const s = lead();
    expect(s.traits).toMatchObject({ email: 'lead@firm.com', company: 'Firm' });
    expect(writeModeOf(s, { userId: 'u-lead' })).toBe('set');
    applyIdentity(s, { userId: 'u-lead', traits: { company: 'Firm Holdings', email: 'lead@firm.co.jp' } });
    expect(s.traits.company).toBe('Firm Holdings');
    expect(s.email).toBe('lead@firm.co.jp');
  });

  it('lets anyone else only fill in what the lead lacks, never change the email or give a user id', () => {
    const s = lead();
    expect(writeModeOf(s, {})).toBe('fill');
    expect(writeModeOf(s, { userId: 'someone-else' })).toBe('fill');
    applyIdentity(s, { userId: 'someone-else', traits: { email: 'other@evil.example', company: 'Evil Corp', title: 'CFO', timezone: 'Asia/Tokyo' } });
    expect(s.email).toBe('lead@firm.com');
    expect(s.userId).toBe('u-lead');
    expect(s.traits).toMatchObject({ email: 'lead@firm.com', company: 'Firm', title: 'CFO' });
    expect(s.timezone).toBe('Asia/Tokyo');
    applyIdentity(s, { traits: { timezone: 'Europe/Paris' } });
    expect(s.timezone).toBe('Asia/Tokyo');
  });

  it('stores no time zone that is not one', () => {
    const s = emptyState('p');
    applyIdentity(s, { traits: { email: 'a@b.co', timezone: 'x'.repeat(30_000) } });
    expect(s.timezone).toBeUndefined();
  });
});

describe('trait bounds', () => {
  it('refuses a trait over the size, count or total bound, keeping the rest', () => {
    const huge = writeTraits({}, { ok: 'fine', big: 'x'.repeat(traitBounds.maxValueBytes + 1), ['n'.repeat(traitBounds.maxNameChars + 1)]: 1 }, 'set');
    expect(huge.traits).toEqual({ ok: 'fine' });
    expect(huge.refused).toHaveLength(2);
    const many = writeTraits({}, Object.fromEntries(Array.from({ length: traitBounds.maxTraits + 20 }, (_, i) => [`t${i}`, i])), 'set');
    expect(Object.keys(many.traits)).toHaveLength(traitBounds.maxTraits);
    const heavy = writeTraits({}, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'y'.repeat(900)])), 'set');
    expect(bytes(heavy.traits)).toBeLessThanOrEqual(traitBounds.maxTotalBytes);
    expect(Object.keys(heavy.traits).length).toBeGreaterThan(10);
  });

  it('shrinks traits stored before the bounds existed at the next identify', () => {
    const bloated = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`pad${i}`, 'z'.repeat(30_000)]));
    const { traits } = writeTraits({ email: 'lead@firm.com', ...bloated }, { title: 'CFO' }, 'set');
    expect(traits).toEqual({ email: 'lead@firm.com', title: 'CFO' });
  });

  it('never takes `__proto__` for a trait name', () => {
    const { traits } = writeTraits({}, JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>, 'set');
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
    expect(traits).toEqual({ a: 1 });
  });
});

describe('a known lead under hostile identifies (public write key)', () => {
  it('stays small and earns no more than one identify earns, however many arrive', () => {
    const before = lead();
    expect(total(before)).toBeCloseTo(25, 0);
    const once = applyEvents(before, [hostileIdentify(0)], defaultRules, day(0, 4)).state;
    let s = once;
    for (let i = 1; i < 50; i++) s = applyEvents(s, [hostileIdentify(i, day(0, 4 + i / 100))], defaultRules, day(0, 5)).state;
    // The blank `title` was filled once (decision-maker fit, +15); the smuggled "Form Submitted" never scored.
    expect(total(once) - total(before)).toBeCloseTo(15, 6);
    expect(total(s)).toBeCloseTo(total(once), 6);
    expect(s.score.rules['contact-form']).toBeUndefined();
    expect(s.traits).toMatchObject({ company: 'Firm', email: 'lead@firm.com' });
    expect(s.email).toBe('lead@firm.com');
    expect(bytes(s)).toBeLessThan(profileItemBudgetBytes);
    expect(bytes(s.traits)).toBeLessThanOrEqual(traitBounds.maxTotalBytes);
  });

  it('keeps any sequence of events within the profile budget (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 300 });
    const value = fc.oneof(fc.string({ maxLength: 3000 }), fc.integer(), fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 500 }), { maxKeys: 5 }));
    const event = fc.oneof(
      fc.record({ type: fc.constant('identify' as const), traits: fc.dictionary(fc.string({ minLength: 1, maxLength: 200 }), value, { maxKeys: 40 }) }),
      fc.record({ type: fc.constant('track' as const), event: name, properties: fc.record({ path: fc.string({ maxLength: 5000 }) }) }),
      fc.record({ type: fc.constant('page' as const), name, properties: fc.record({ path: fc.string({ maxLength: 5000 }) }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(event, fc.string({ minLength: 1, maxLength: 256 })), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 8 }), (batches) => {
        let s = lead();
        let n = 0;
        for (const batch of batches) {
          const events = batch.map(([e, anon]) => collected({ ...e, anonymousId: anon, messageId: `m-${n}-${'x'.repeat(200)}`, at: day(1, n++ / 1000) }));
          s = applyEvents(s, events, defaultRules, day(2)).state;
        }
        expect(bytes(s)).toBeLessThan(profileItemBudgetBytes);
        expect(s.recent.every((e) => (e.path?.length ?? 0) <= maxEntryPathChars)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
