import { describe, expect, it } from 'vitest';
import { type Condition, evaluate } from '../../../functions/scenarios/domain/conditions.js';
import { nextLocalTime } from '../../../functions/scenarios/domain/calendar.js';
import { decide, executionName, maxTriggerDetailBytes, triggerDetail } from '../../../functions/scenarios/domain/enrollment.js';
import { describeTrigger, goalPattern, triggerPattern } from '../../../functions/scenarios/domain/patterns.js';
import { matches } from '../../../local/emulators/event-pattern.js';

const profile = { stage: 'mql', known: true, traits: { plan: 'pro', seats: 12 }, score: { value: 57, categories: { analytics: 20 } } };
const facts = (counts: number[] = []) => ({ profile, behaviourCounts: new Map(counts.map((c, i) => [i, c])) });

describe('branch conditions', () => {
  it('compare profile fields, traits and category scores', () => {
    expect(evaluate([{ field: 'score', gte: 50 }], facts())).toBe(true);
    expect(evaluate([{ field: 'score', gt: 57 }], facts())).toBe(false);
    expect(evaluate([{ field: 'categories.analytics', gte: 20, lt: 30 }], facts())).toBe(true);
    expect(evaluate([{ field: 'traits.plan', in: ['pro', 'enterprise'] }], facts())).toBe(true);
    expect(evaluate([{ field: 'stage', notEquals: 'mql' }], facts())).toBe(false);
  });

  it('treat a missing field like EventBridge does: only exists:false matches', () => {
    expect(evaluate([{ field: 'traits.company', notEquals: 'Acme' }], facts())).toBe(false);
    expect(evaluate([{ field: 'traits.company', exists: false }], facts())).toBe(true);
    expect(evaluate([{ field: 'score', gte: 0 }], { behaviourCounts: new Map() })).toBe(false);
  });

  it('count behaviour against at-least and at-most', () => {
    const visitedPricingTwice: Condition = { did: 'Page Viewed', path: '/pricing', atLeast: 2, within: '7d' };
    expect(evaluate([visitedPricingTwice], facts([2]))).toBe(true);
    expect(evaluate([visitedPricingTwice], facts([1]))).toBe(false);
    expect(evaluate([{ did: 'Form Submitted', atMost: 0, within: '7d' }], facts([1]))).toBe(false);
    expect(evaluate([{ did: 'Form Submitted', atMost: 0, within: '7d' }], facts([0]))).toBe(true);
  });

  it('combine with all, any and not, each leaf keeping its own fact', () => {
    const c: Condition[] = [
      { any: [{ field: 'score', gte: 90 }, { did: 'Page Viewed', path: '/pricing', atLeast: 2, within: '7d' }] },
      { not: { did: 'Form Submitted', within: '7d' } },
    ];
    // Leaves in order: score, pricing visits, form submissions (counts are per leaf index).
    expect(evaluate(c, facts([0, 3, 0]))).toBe(true);
    expect(evaluate(c, facts([0, 3, 1]))).toBe(false);
    expect(evaluate(c, facts([0, 1, 0]))).toBe(false);
  });

  it('read the last email engagement', () => {
    const f = { ...facts(), lastEmail: { opened: true, clicked: false } };
    expect(evaluate([{ lastEmail: 'opened' }], f)).toBe(true);
    expect(evaluate([{ lastEmail: 'notClicked' }], f)).toBe(true);
    expect(evaluate([{ lastEmail: 'clicked' }], facts())).toBe(false);
  });
});

describe('trigger and goal patterns', () => {
  const event = (detailType: string, detail: Record<string, unknown>, source = 'nurture.activity') => ({ source, 'detail-type': detailType, detail });

  it('match the events a marketer means, on the local bus as on EventBridge', () => {
    const brochure = triggerPattern({ event: 'Form Submitted', where: { 'properties.form': 'brochure' } });
    expect(matches(brochure as never, event('Form Submitted', { properties: { form: 'brochure' } }))).toBe(true);
    expect(matches(brochure as never, event('Form Submitted', { properties: { form: 'contact' } }))).toBe(false);
    const mql = triggerPattern({ stage: 'mql' });
    expect(matches(mql as never, event('lead.stage_changed', { to: 'mql', from: 'known' }, 'nurture.leads'))).toBe(true);
    expect(matches(mql as never, event('lead.stage_changed', { to: 'sql' }, 'nurture.leads'))).toBe(false);
    const big = triggerPattern({ event: 'Order Completed', where: { 'properties.total': { gte: 100 } } });
    expect(matches(big as never, event('Order Completed', { properties: { total: 150 } }))).toBe(true);
    expect(matches(big as never, event('Order Completed', { properties: { total: 99 } }))).toBe(false);
    const score = triggerPattern({ score: { atLeast: 50 } });
    expect(matches(score as never, event('Page Viewed', { score: 50 }))).toBe(true);
    expect(matches(goalPattern({ event: 'Order Completed' }) as never, event('Order Completed', {}))).toBe(true);
  });

  it('enroll on a lifecycle change to the state named, and nothing else', () => {
    const atRisk = triggerPattern({ lifecycle: 'at_risk', where: { orders: { gte: 2 } } });
    expect(atRisk).toEqual({ source: ['nurture.leads'], 'detail-type': ['lead.lifecycle_changed'], detail: { orders: [{ numeric: ['>=', 2] }], to: ['at_risk'] } });
    expect(matches(atRisk as never, event('lead.lifecycle_changed', { from: 'active', to: 'at_risk', orders: 3 }, 'nurture.leads'))).toBe(true);
    expect(matches(atRisk as never, event('lead.lifecycle_changed', { from: 'active', to: 'at_risk', orders: 1 }, 'nurture.leads'))).toBe(false);
    expect(matches(atRisk as never, event('lead.lifecycle_changed', { from: 'at_risk', to: 'churned', orders: 3 }, 'nurture.leads'))).toBe(false);
    expect(matches(atRisk as never, event('lead.stage_changed', { to: 'at_risk', orders: 3 }, 'nurture.leads'))).toBe(false);
    expect(describeTrigger({ lifecycle: 'at_risk' })).toBe('customer becomes at risk');
  });

  it('enroll when a person enters (or leaves) the segment named, and on no other segment', () => {
    const enters = triggerPattern({ segment: 'pricing-readers' });
    const leaves = triggerPattern({ segment: 'pricing-readers', on: 'exited' });
    const entered = event('segment.entered', { profileId: 'p', segmentId: 'pricing-readers' }, 'nurture.leads');
    expect(matches(enters as never, entered)).toBe(true);
    expect(matches(leaves as never, entered)).toBe(false);
    expect(matches(leaves as never, event('segment.exited', { profileId: 'p', segmentId: 'pricing-readers', since: 'x' }, 'nurture.leads'))).toBe(true);
    expect(matches(enters as never, event('segment.entered', { profileId: 'p', segmentId: 'other' }, 'nurture.leads'))).toBe(false);
    expect(describeTrigger({ segment: 'pricing-readers', on: 'exited' })).toBe('leaves segment pricing-readers');
  });
});

describe('enrollment', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const record = (over: object = {}) => ({
    executionName: 'p1-x',
    executionArn: 'arn',
    status: 'succeeded' as const,
    enrolledAt: '2026-03-01T12:00:00Z',
    triggerKey: 'm1',
    count: 1,
    ...over,
  });

  it('carries a small trigger detail whole and drops the properties of a large one', () => {
    const small = { profileId: 'p1', messageId: 'm1', properties: { orderId: 'o-1', total: 120 } };
    expect(triggerDetail(small)).toBe(small);
    const large = { profileId: 'p1', messageId: 'm1', score: 40, properties: { items: 'x'.repeat(maxTriggerDetailBytes) } };
    expect(triggerDetail(large)).toEqual({ propertiesOmitted: true, profileId: 'p1', messageId: 'm1', score: 40 });
  });

  it('names executions deterministically from profile, scenario and trigger', () => {
    expect(executionName('p_abc', 's1', 'm1')).toBe(executionName('p_abc', 's1', 'm1'));
    expect(executionName('p_abc', 's1', 'm1')).not.toBe(executionName('p_abc', 's1', 'm2'));
    expect(executionName('p_abc', 's1', 'm1')).not.toBe(executionName('p_abc', 's2', 'm1'));
    expect(executionName('p_'.padEnd(200, 'x'), 's1', 'm1')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('starts again for the same trigger (idempotently) and applies the re-entry policy to new ones', () => {
    expect(decide({ policy: 'never', record: undefined, profileId: 'p1', scenarioId: 's1', triggerKey: 'm1', now }).action).toBe('start');
    expect(decide({ policy: 'never', record: record(), profileId: 'p1', scenarioId: 's1', triggerKey: 'm1', now }).action).toBe('resume');
    expect(decide({ policy: 'never', record: record(), profileId: 'p1', scenarioId: 's1', triggerKey: 'm2', now })).toMatchObject({ action: 'skip' });
    expect(decide({ policy: 'always', record: record({ status: 'running' }), profileId: 'p1', scenarioId: 's1', triggerKey: 'm2', now })).toEqual({
      action: 'skip',
      reason: 'already in this journey',
    });
    expect(decide({ policy: { after: '30d' }, record: record(), profileId: 'p1', scenarioId: 's1', triggerKey: 'm2', now })).toEqual({
      action: 'skip',
      reason: 'enrolled 9d ago; re-entry after 30d',
    });
    expect(decide({ policy: { after: '7d' }, record: record(), profileId: 'p1', scenarioId: 's1', triggerKey: 'm2', now })).toMatchObject({ action: 'start', count: 2 });
  });
});

describe('time of day in the recipient time zone', () => {
  it('finds the next 09:30 on a weekday in Tokyo', () => {
    // Friday 2026-03-13 10:00 in Tokyo (01:00 UTC): today's 09:30 has passed, the weekend is skipped.
    const at = nextLocalTime(new Date('2026-03-13T01:00:00Z'), 'Asia/Tokyo', '09:30', ['mon', 'tue', 'wed', 'thu', 'fri']);
    expect(at.toISOString()).toBe('2026-03-16T00:30:00.000Z');
  });

  it('follows daylight saving time and falls back to UTC for an unknown zone', () => {
    // New York moves to EDT (UTC-4) on 2026-03-08.
    expect(nextLocalTime(new Date('2026-03-07T20:00:00Z'), 'America/New_York', '09:00').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(nextLocalTime(new Date('2026-03-07T20:00:00Z'), 'Mars/Olympus', '09:00').toISOString()).toBe('2026-03-08T09:00:00.000Z');
  });
});
