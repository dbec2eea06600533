import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../functions/scenarios/domain/conditions.js';
import type { Segment, SegmentCondition } from '../../../functions/segments/domain/definition.js';
import {
  evaluateSegment,
  evaluateSegments,
  nextBoundary,
  type SegmentFacts,
  type SegmentProfileView,
  timeDependence,
} from '../../../functions/segments/domain/evaluate.js';
import { evaluationOrder } from '../../../functions/segments/domain/graph.js';
import { parseSegment } from '../../../functions/segments/domain/validate.js';

const fixture = (id: string) => parseSegment(readFileSync(join(import.meta.dirname, 'fixtures', `${id}.yaml`), 'utf8'), id);
const day = 86_400_000;
const now = new Date('2025-06-01T00:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();
const act = (event: string, daysAgo: number, path?: string): Activity => ({ event, occurredAt: ago(daysAgo), ...(path ? { path } : {}) });
const facts = (activity: Activity[], profile: SegmentProfileView = {}, memberships = new Map<string, boolean>()): SegmentFacts => ({ profile, activity, memberships });
const segment = (...conditions: SegmentCondition[]): Segment => ({ id: 's', name: 's', conditions });

describe('segment membership', () => {
  it('combines behaviour, score and stage (brochure, score ≥ 30, not a customer)', () => {
    const s = fixture('brochure-warm-leads');
    const downloaded = [act('Brochure Downloaded', 20)];
    expect(evaluateSegment(s, facts(downloaded, { score: { value: 30 }, stage: 'mql' }), now).member).toBe(true);
    expect(evaluateSegment(s, facts(downloaded, { score: { value: 30 }, stage: 'customer' }), now).member).toBe(false);
    expect(evaluateSegment(s, facts(downloaded, { score: { value: 29 }, stage: 'mql' }), now).member).toBe(false);
    expect(evaluateSegment(s, facts([], { score: { value: 90 } }), now).member).toBe(false);
  });

  it('counts page views by path prefix in the window (pricing 3 times in 7 days, never asked)', () => {
    const s = fixture('pricing-no-inquiry');
    const views = [act('Page Viewed', 1, '/pricing'), act('Page Viewed', 2, '/pricing/teams'), act('Page Viewed', 6, '/pricing')];
    expect(evaluateSegment(s, facts(views), now).member).toBe(true);
    expect(evaluateSegment(s, facts([...views, act('Inquiry Submitted', 100)]), now).member).toBe(false);
    expect(evaluateSegment(s, facts([...views.slice(0, 2), act('Page Viewed', 8, '/pricing')]), now).member).toBe(false);
  });

  it('reads lifecycle, consent status and the memberships of referenced segments', () => {
    const s = fixture('at-risk-mailable');
    const granted = { consent: { status: 'granted' } };
    expect(evaluateSegment(s, facts([], { ...granted, lifecycle: 'at_risk' }), now).member).toBe(true);
    expect(evaluateSegment(s, facts([], { consent: { status: 'revoked' }, lifecycle: 'at_risk' }), now).member).toBe(false);
    expect(evaluateSegment(s, facts([], { ...granted, lifecycle: 'active' }), now).member).toBe(false);
    expect(evaluateSegment(s, facts([], { ...granted, lifecycle: 'active' }, new Map([['bought-once-lapsed', true]])), now).member).toBe(true);
  });
});

describe('next boundary by time alone', () => {
  it('"no visit in 30 days" flips 30 days after the last visit, then never again', () => {
    const s = segment({ did: 'Page Viewed', within: '30d', atMost: 0 });
    const visits = [act('Page Viewed', 12), act('Page Viewed', 3)];
    const e = evaluateSegment(s, facts(visits), now);
    expect(e.member).toBe(false);
    expect(e.nextBoundary?.toISOString()).toBe(new Date(Date.parse(ago(3)) + 30 * day + 1).toISOString());
    const later = evaluateSegment(s, facts(visits), e.nextBoundary!);
    expect(later).toEqual({ member: true });
  });

  it('a purchase 60–180 days ago: enters when it is 60 days old, exits when it is 180 days old', () => {
    const s = fixture('bought-once-lapsed');
    const orders = [act('Order Completed', 10)];
    const first = evaluateSegment(s, facts(orders), now);
    expect(first.member).toBe(false);
    expect(first.nextBoundary!.getTime()).toBe(Date.parse(ago(10)) + 60 * day + 1);
    const entered = evaluateSegment(s, facts(orders), first.nextBoundary!);
    expect(entered.member).toBe(true);
    expect(entered.nextBoundary!.getTime()).toBe(Date.parse(ago(10)) + 180 * day + 1);
    expect(evaluateSegment(s, facts(orders), entered.nextBoundary!)).toEqual({ member: false });
  });

  it('skips a window flip that cannot change the result', () => {
    const s = segment({ field: 'stage', equals: 'customer' }, { did: 'Page Viewed', within: '7d' });
    expect(nextBoundary(s, facts([act('Page Viewed', 1)], { stage: 'mql' }), now)).toBeUndefined();
    expect(nextBoundary(s, facts([act('Page Viewed', 1)], { stage: 'customer' }), now)).toBeDefined();
    expect(nextBoundary(segment({ field: 'score', gte: 1 }), facts([], { score: { value: 5 } }), now)).toBeUndefined();
  });

  it('takes a referenced segment’s boundary, and evaluates a set in graph order', () => {
    const inner: Segment = { id: 'recent', name: 'recent', conditions: [{ did: 'Page Viewed', within: '7d' }] };
    const outer: Segment = { id: 'outer', name: 'outer', conditions: [{ not: { segment: 'recent' } }] };
    const fixed: Segment = { id: 'known', name: 'known', conditions: [{ field: 'known', equals: true }] };
    const ordered = evaluationOrder([outer, fixed, inner]);
    const e = evaluateSegments(ordered, { profile: { known: true }, activity: [act('Page Viewed', 2)] }, now);
    expect([...e.memberships]).toEqual([['known', true], ['recent', true], ['outer', false]]);
    const flip = Date.parse(ago(2)) + 7 * day + 1;
    expect(e.boundaries.get('outer')?.getTime()).toBe(flip);
    expect(e.nextBoundary?.getTime()).toBe(flip);
    expect(e.boundaries.has('known')).toBe(false);
    expect(Object.fromEntries(timeDependence(ordered))).toEqual({ known: [], recent: ['conditions[0]'], outer: ['conditions[0].not.segment'] });
  });
});

// ---- properties ---------------------------------------------------------------------------------------

const events = ['Page Viewed', 'Order Completed'];
const atom = fc.oneof(
  fc.record({ did: fc.constantFrom(...events), within: fc.constantFrom('1d', '7d', '30d'), atLeast: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ did: fc.constantFrom(...events), within: fc.constantFrom('2d', '14d'), atMost: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ field: fc.constant('score'), gte: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ field: fc.constant('lifecycle'), equals: fc.constantFrom('new', 'loyal') }),
) as fc.Arbitrary<SegmentCondition>;
const { condition } = fc.letrec<{ condition: SegmentCondition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.record({ all: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
  ) as fc.Arbitrary<SegmentCondition>,
}));
const history = fc.array(fc.record({ event: fc.constantFrom(...events), daysAgo: fc.integer({ min: 0, max: 40 }) }), { maxLength: 8 }).map((xs) => xs.map((x) => act(x.event, x.daysAgo)));
const profile = fc.record({ score: fc.record({ value: fc.integer({ min: 0, max: 60 }) }), lifecycle: fc.constantFrom('new', 'loyal', 'churned') });

describe('segment evaluation properties', () => {
  it('not c is always the opposite of c', () => {
    fc.assert(
      fc.property(condition, history, profile, (c, activity, p) => {
        const f = facts(activity, p);
        expect(evaluateSegment(segment({ not: c }), f, now).member).toBe(!evaluateSegment(segment(c), f, now).member);
      }),
    );
  });

  it('the result holds until the boundary and changes at it; with no boundary it never changes by time', () => {
    fc.assert(
      fc.property(condition, history, profile, fc.integer({ min: 1, max: 400 * day }), (c, activity, p, offset) => {
        const s = segment(c);
        const f = facts(activity, p);
        const { member, nextBoundary: boundary } = evaluateSegment(s, f, now);
        const probe = new Date(now.getTime() + offset);
        if (!boundary || probe < boundary) expect(evaluateSegment(s, f, probe).member).toBe(member);
        if (boundary) {
          expect(boundary > now).toBe(true);
          expect(evaluateSegment(s, f, boundary).member).toBe(!member);
          expect(evaluateSegment(s, f, new Date(boundary.getTime() - 1)).member).toBe(member);
        }
      }),
    );
  });
});
