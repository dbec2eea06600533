import { describe, expect, it } from 'vitest';
import { decayFactor, rankKey, scoreFromRankKey } from '../../../functions/scoring/domain/decay.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents } from '../../../functions/scoring/domain/score.js';
import { emptyState, recentActivityKept, type ScoringState } from '../../../functions/profiles/domain/profile.js';
import { collected, day, pageView, track } from '../../helpers/events.js';

const rules = parseRules(`
version: 7
halfLifeDays: 10
stages: { mql: 30, sql: 60, customerEvents: [Order Completed], dormantAfterDays: 30 }
rules:
  - { id: opened, match: { event: Email Opened }, points: 2 }
  - { id: clicked, match: { event: Email Link Clicked }, points: 3 }
  - { id: insight, match: { type: page, path: /products/insight* }, points: 4, category: product }
  - { id: top, match: { type: page, path: / }, points: 1, limit: { perDay: 1 } }
  - { id: pricing, match: { type: page, path: /pricing* }, points: 5, category: pricing, limit: { ever: 2 } }
  - { id: faq, match: { type: page, path: /faq/** }, points: -2 }
  - { id: contact, match: { event: Form Submitted, properties: { formId: contact } }, points: 25 }
  - { id: dwell, match: { event: Page Ping }, points: 0.5, limit: { perDay: 4 } }
  - { id: big-order, match: { event: Order Completed, properties: { total: { gte: 1000 } } }, points: 20 }
  - id: pricing-again
    match: { type: page, path: /pricing* }
    repeat: { atLeast: 3, withinDays: 7, unless: [Order Completed] }
    points: 10
    emit: Pricing Interest
  - { id: competitor, kind: fit, traits: { email: { domain: rival.io } }, points: -100 }
  - { id: director, kind: fit, traits: { title: { contains: director } }, points: 15 }
`);

const run = (events: ReturnType<typeof collected>[], state: ScoringState = emptyState('p1'), now = events.at(-1)?.timestamp ?? day(0)) =>
  applyEvents(state, events, rules, now);
const total = (s: ScoringState, at: string) => s.score.value * decayFactor(s.score.asOf, at, rules.halfLifeDays) + s.score.fit;

describe('scoring rules engine', () => {
  it('scores anonymous visitors by what they do, with an explanation per point', () => {
    const { state } = run([pageView('/', day(0)), pageView('/products/insight.html', day(0, 1)), track('Email Opened', {}, day(0, 2))]);
    expect(state.stage).toBe('anonymous');
    expect(total(state, day(0, 2))).toBeCloseTo(1 + 4 + 2, 1);
    expect(state.score.rules).toEqual({ top: expect.closeTo(1, 1), insight: expect.closeTo(4, 1), opened: 2 });
    // The item keeps business events with the points they earned; page views are in the lake.
    expect(state.recent.map((a) => [a.name, a.pts])).toEqual([['Email Opened', [['opened', 2]]]]);
    expect(state.score.categories.product).toBeCloseTo(4, 1);
  });

  it('takes negative points (FAQ readers)', () => {
    const { state } = run([pageView('/faq/billing', day(0))]);
    expect(state.score.value).toBe(-2);
  });

  it('matches properties with operators', () => {
    const small = run([track('Order Completed', { total: 200 })]).state;
    const big = run([track('Order Completed', { total: 1500 })]).state;
    expect(small.score.rules['big-order']).toBeUndefined();
    expect(big.score.rules['big-order']).toBe(20);
  });

  it('applies per-day and lifetime limits', () => {
    const { state } = run([
      pageView('/', day(0)),
      pageView('/', day(0, 1)),
      pageView('/', day(1)),
      pageView('/pricing', day(0)),
      pageView('/pricing', day(1)),
      pageView('/pricing', day(2)),
    ]);
    // Once a day for the top page (days 0 and 1), twice ever for pricing.
    expect(state.limits.top?.ever).toBe(2);
    expect(state.limits.pricing?.ever).toBe(2);
    expect(state.score.rules.pricing).toBeCloseTo(5 * decayFactor(day(0), day(2), rules.halfLifeDays) + 5 * decayFactor(day(1), day(2), rules.halfLifeDays), 6);
  });

  it('caps points from heartbeats (dwell time)', () => {
    const pings = Array.from({ length: 10 }, (_, i) => track('Page Ping', { seconds: 15, path: '/pricing' }, day(0, i / 60)));
    const { state } = run(pings);
    expect(state.score.rules.dwell).toBeCloseTo(2, 1);
  });

  it('halves behaviour points every half-life but never fit points', () => {
    const { state } = run([track('Form Submitted', { formId: 'contact' }, day(0)), collected({ type: 'identify', traits: { email: 'x@a.io', title: 'Sales Director' }, at: day(0) })]);
    expect(total(state, day(0))).toBeCloseTo(25 + 15, 1);
    expect(total(state, day(10))).toBeCloseTo(12.5 + 15, 1);
    expect(total(state, day(20))).toBeCloseTo(6.25 + 15, 1);
  });

  it('counts a late event by its own time', () => {
    const first = run([track('Email Opened', {}, day(10))]).state;
    const late = run([track('Email Link Clicked', {}, day(0))], first, day(10)).state;
    expect(total(late, day(10))).toBeCloseTo(2 + 3 / 2, 2);
  });

  it('fires a repeat rule once per window, and not after the unless event', () => {
    const visits = run([pageView('/pricing', day(0)), pageView('/pricing', day(2)), pageView('/pricing', day(4)), pageView('/pricing', day(5))]);
    // Fired on the third visit (day 4), not again on the fourth within the same 7 days.
    expect(visits.state.score.rules['pricing-again']).toBe(10);
    expect(visits.events.filter((e) => e.detailType === 'Pricing Interest')).toHaveLength(1);

    const bought = run([track('Order Completed', { total: 10 }, day(0)), pageView('/pricing', day(1)), pageView('/pricing', day(2)), pageView('/pricing', day(3))]);
    expect(bought.state.score.rules['pricing-again']).toBeUndefined();
  });

  it('applies fit rules once and re-evaluates them when traits change', () => {
    // The lead's own signed-in identifies (their user id on file) may change traits: see the profiles tests.
    let { state } = run([collected({ type: 'identify', userId: 'u-1', traits: { email: 'spy@rival.io' } })]);
    expect(state.score.fit).toBe(-100);
    ({ state } = run([collected({ type: 'identify', userId: 'u-1', traits: { email: 'spy@rival.io' } })], state));
    expect(state.score.fit).toBe(-100);
    ({ state } = run([collected({ type: 'identify', userId: 'u-1', traits: { email: 'ann@customer.com', title: 'Director of IT' } })], state));
    expect(state.score.fitRules).toEqual({ director: 15 });
  });

  it('moves a known lead through MQL and SQL, emitting each stage change once', () => {
    const identify = collected({ type: 'identify', traits: { email: 'lead@firm.com', title: 'Marketing Director' }, at: day(0) });
    const a = run([identify]);
    expect(a.state.stage).toBe('known');
    expect(a.events.map((e) => e.detailType)).toEqual(['lead.identified', 'lead.stage_changed']);
    const b = run([track('Form Submitted', { formId: 'contact' }, day(0, 1)), pageView('/pricing', day(0, 2)), track('Form Submitted', { formId: 'contact' }, day(0, 3))], a.state);
    expect(b.state.stage).toBe('sql');
    const changes = b.events.filter((e) => e.detailType === 'lead.stage_changed').map((e) => (e.detail as { to: string }).to);
    expect(changes).toEqual(['mql', 'sql']);
    const again = run([pageView('/', day(0, 4))], b.state);
    expect(again.events.filter((e) => e.detailType === 'lead.stage_changed')).toHaveLength(0);
  });

  it('does not qualify anonymous visitors, however high their score', () => {
    const { state } = run(Array.from({ length: 3 }, (_, i) => track('Form Submitted', { formId: 'contact' }, day(0, i))));
    expect(state.stage).toBe('anonymous');
  });

  it('makes customers on purchase and never moves a lead backwards as points decay', () => {
    const known = run([collected({ type: 'identify', traits: { email: 'c@firm.com' } }), track('Form Submitted', { formId: 'contact' }), pageView('/pricing')]).state;
    expect(known.stage).toBe('mql');
    const later = run([pageView('/', day(90))], known).state;
    expect(later.stage).toBe('mql');
    const bought = run([track('Order Completed', { total: 5 }, day(91))], later).state;
    expect(bought.stage).toBe('customer');
  });

  it('raises the stage to a trusted floor (nurture.minStage) step by step, never lowering it, once per event', () => {
    const known = run([collected({ type: 'identify', traits: { email: 'crm@firm.com' }, at: day(0) })]).state;
    const opp = track('CRM Opportunity Created', {}, day(0, 1), { nurture: { v: 1, bot: false, minStage: 'sql' } });
    const a = run([opp], known);
    expect(a.state.stage).toBe('sql');
    const steps = (r: typeof a) => r.events.filter((e) => e.detailType === 'lead.stage_changed').map((e) => (e.detail as { to: string }).to);
    expect(steps(a)).toEqual(['mql', 'sql']);
    expect(steps(run([opp], a.state))).toEqual([]);
    const won = run([track('CRM Deal Won', {}, day(0, 2), { nurture: { v: 1, bot: false, minStage: 'customer' } })], a.state);
    expect(won.state.stage).toBe('customer');
    expect(steps(won)).toEqual(['customer']);
    const lower = run([track('CRM Opportunity Created', {}, day(0, 3), { nurture: { v: 1, bot: false, minStage: 'sql' } })], won.state);
    expect(lower.state.stage).toBe('customer');
    expect(steps(lower)).toEqual([]);
  });

  it('wakes a dormant lead to its floor stage when that is higher than where it slept', () => {
    const known = run([collected({ type: 'identify', traits: { email: 'sleep@firm.com' }, at: day(0) })]).state;
    const dormant: ScoringState = { ...known, stage: 'dormant', stageBeforeDormant: 'known' };
    const r = run([track('CRM Deal Won', {}, day(60), { nurture: { v: 1, bot: false, minStage: 'customer' } })], dormant);
    expect(r.state.stage).toBe('customer');
    expect(r.events.filter((e) => e.detailType === 'lead.stage_changed').map((e) => (e.detail as { from: string; to: string }).to)).toEqual(['mql', 'sql', 'customer']);
  });

  it('passes business events to the bus but not heartbeats, nor page views of anonymous visitors', () => {
    const { events, state } = run([pageView('/'), track('Page Ping', {}), track('Order Completed', { total: 5 })]);
    expect(events.filter((e) => 'activity' in e).map((e) => e.detailType)).toEqual(['Order Completed']);
    const known = run([collected({ type: 'identify', traits: { email: 'k@firm.com' } }), pageView('/pricing')], state);
    const views = known.events.filter((e) => e.detailType === 'Page Viewed');
    expect(views.map((e) => (e.detail as unknown as { properties: { path: string } }).properties.path)).toEqual(['/pricing']);
  });

  it('adds the points a scenario step grants, explained by the scenario', () => {
    const { state } = run([track('Scenario Points Added', { points: 12, scenarioId: 'brochure-nurture', stepId: 'bonus' })]);
    expect(state.score.rules['scenario-brochure-nurture']).toBe(12);
    expect(state.recent[0]?.pts).toEqual([['scenario-brochure-nurture', 12]]);
    const absurd = run([track('Scenario Points Added', { points: 1e9, scenarioId: 'x' })]).state;
    expect(absurd.score.value).toBe(0);
  });

  it('ignores a duplicate messageId', () => {
    const e = track('Form Submitted', { formId: 'contact' });
    const once = run([e]).state;
    const twice = run([e, { ...e }]).state;
    const replay = run([e], once).state;
    expect(twice.score).toEqual(once.score);
    expect(replay.score).toEqual(once.score);
  });

  it('keeps only the latest business events on the profile item (the lake keeps the rest)', () => {
    const events = Array.from({ length: recentActivityKept + 5 }, (_, i) => track(`Step ${i}`, {}, day(0, i)));
    const { state } = run([...events, pageView('/pricing', day(1)), track('Page Ping', {}, day(1, 1))]);
    expect(state.recent.map((a) => a.name)).toEqual(Array.from({ length: recentActivityKept }, (_, i) => `Step ${i + 5}`));
  });

  it('moves lastSeenAt in steps of an hour, but judges stages at the latest event', () => {
    const first = run([pageView('/', day(0))]).state;
    expect(first.lastSeenAt).toBe(day(0));
    const soon = run([pageView('/a', new Date(Date.parse(day(0)) + 20 * 60_000).toISOString())], first).state;
    expect(soon.lastSeenAt).toBe(day(0));
    const later = run([pageView('/b', day(0, 2))], soon).state;
    expect(later.lastSeenAt).toBe(day(0, 2));
  });
});

describe('rank key', () => {
  it('orders profiles by their decayed score at any moment, without rewriting', () => {
    const h = 10;
    const a = { v: 50, at: day(0) };
    const b = { v: 20, at: day(10) };
    // At day 10: a is 25, b is 20 → a first. At day 30 the order stays (both decay alike).
    expect(rankKey(a.v, a.at, h)).toBeGreaterThan(rankKey(b.v, b.at, h));
    const c = { v: 30, at: day(10) };
    expect(rankKey(c.v, c.at, h)).toBeGreaterThan(rankKey(a.v, a.at, h));
    expect(scoreFromRankKey(rankKey(a.v, a.at, h), day(20), h)).toBeCloseTo(12.5, 6);
  });

  it('puts non-positive scores at the bottom', () => {
    expect(rankKey(0, day(0), 10)).toBeLessThan(rankKey(0.001, day(0), 10));
    expect(rankKey(-5, day(0), 10)).toBe(rankKey(0, day(0), 10));
  });
});
