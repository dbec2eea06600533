import { describe, expect, it } from 'vitest';
import { emptyState } from '../../../functions/profiles/domain/profile.js';
import type { Segment } from '../../../functions/segments/domain/definition.js';
import { deploySegments, mergedAwayExits, segmentStep } from '../../../functions/segments/domain/step.js';
import { keepFor, recordActivity, trackedBehaviours, windowKey } from '../../../functions/segments/domain/windows.js';

const t0 = Date.parse('2026-12-01T00:00:00.000Z');
const at = (hours: number) => new Date(t0 + hours * 3_600_000);
const view = (path: string, hours: number) => ({ event: 'Page Viewed', occurredAt: at(hours).toISOString(), path });

const thrice: Segment = { id: 'pricing-3', name: 'p', conditions: [{ did: 'Page Viewed', path: '/pricing', within: '7d', atLeast: 3 }] };
const quiet: Segment = { id: 'quiet', name: 'q', conditions: [{ did: 'Page Viewed', within: '30d', atMost: 0 }, { field: 'known', equals: true }] };

describe('behaviour windows', () => {
  it('keep the newest times a count needs, within the longest window, and drop keys no segment reads', () => {
    expect(keepFor({ did: 'x', within: '1d', atLeast: 3 })).toBe(3);
    expect(keepFor({ did: 'x', within: '1d', atMost: 2 })).toBe(3);
    expect(keepFor({ did: 'x', within: '1d' })).toBe(1);
    const tracked = trackedBehaviours([thrice]);
    const key = windowKey({ did: 'Page Viewed', path: '/pricing' });
    const w = recordActivity({ stale: [1] }, tracked, [1, 2, 3, 4, 5].map((h) => view('/pricing', h)).concat(view('/about', 6)), at(6));
    expect(w).toEqual({ [key]: [3, 4, 5].map((h) => at(h).getTime()) });
    // Replayed: the same events add nothing; 8 days on they have all aged out.
    expect(recordActivity(w, tracked, [view('/pricing', 5)], at(6))).toEqual(w);
    expect(recordActivity(w, tracked, [], at(5 + 8 * 24))).toEqual({});
  });
});

describe('segmentStep', () => {
  it('enters on the third pricing read, owes nothing when evaluated again, and names when the count ages out', () => {
    const deployed = deploySegments([thrice]);
    const s = emptyState('p1');
    expect(segmentStep(s, undefined, deployed, [view('/pricing', 0), view('/pricing', 1)], at(1))).toEqual([]);
    const entered = segmentStep(s, undefined, deployed, [view('/pricing', 2)], at(2));
    expect(entered).toEqual([{ detailType: 'segment.entered', detail: { profileId: 'p1', segmentId: 'pricing-3', occurredAt: at(2).toISOString(), messageId: expect.stringContaining('pricing-3') } }]);
    expect(s.segments).toEqual({ 'pricing-3': at(2).toISOString() });
    // The first read leaves the window 7 days after it (plus 1 ms): the next boundary.
    expect(s.segmentsDue).toBe(new Date(at(0).getTime() + 7 * 86_400_000 + 1).toISOString());
    expect(segmentStep(s, undefined, deployed, [], at(3))).toEqual([]);
    const exited = segmentStep(s, undefined, deployed, [], new Date(Date.parse(s.segmentsDue!)));
    expect(exited.map((e) => e.detailType)).toEqual(['segment.exited']);
    expect(exited[0]!.detail).toMatchObject({ since: at(2).toISOString() });
    expect(s.segments).toBeUndefined();
  });

  it('enters a known person without visits at once, and lets them out on a visit; drops a segment no longer deployed silently', () => {
    const s = { ...emptyState('p2'), known: true };
    expect(segmentStep(s, undefined, deploySegments([quiet]), [], at(0)).map((e) => e.detailType)).toEqual(['segment.entered']);
    expect(segmentStep(s, undefined, deploySegments([quiet]), [view('/', 1)], at(1)).map((e) => e.detailType)).toEqual(['segment.exited']);
    s.segments = { gone: at(0).toISOString() };
    expect(segmentStep(s, undefined, deploySegments([thrice]), [], at(2))).toEqual([]);
    expect(s.segments).toBeUndefined();
  });

  it('reads consent and lifecycle, and moves the due time to the lifecycle boundary when a segment reads it', () => {
    const atRisk: Segment = { id: 'at-risk', name: 'a', conditions: [{ field: 'lifecycle', equals: 'at_risk' }] };
    const consenting: Segment = { id: 'mailable', name: 'm', conditions: [{ field: 'consent', equals: 'granted' }] };
    const s = { ...emptyState('p3'), lifecycle: 'active' as const, lifecycleDue: at(100).toISOString() };
    expect(segmentStep(s, { status: 'granted', at: at(0).toISOString() } as never, deploySegments([atRisk, consenting]), [], at(1)).map((e) => e.detail.segmentId)).toEqual(['mailable']);
    expect(s.segmentsDue).toBe(at(100).toISOString());
  });

  it('owes an exit of every segment a merged-away profile was in', () => {
    const merged = { ...emptyState('old'), segments: { a: at(0).toISOString(), b: at(1).toISOString() } };
    expect(mergedAwayExits(merged, at(5)).map((e) => [e.detailType, e.detail.profileId, e.detail.segmentId])).toEqual([
      ['segment.exited', 'old', 'a'],
      ['segment.exited', 'old', 'b'],
    ]);
  });
});
