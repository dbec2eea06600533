import { describe, expect, it } from 'vitest';
import { emptyState } from '../../../functions/profiles/domain/profile.js';
import type { Segment } from '../../../functions/segments/domain/definition.js';
import { previewSegment, type RankedWalk } from '../../../functions/segments/domain/preview.js';

const profile = (i: number, extra: Record<string, unknown> = {}) => ({
  ...emptyState(`p${i}`),
  known: true,
  stage: 'mql',
  leadName: `P ${i}`,
  score: { ...emptyState('x').score, value: i },
  traits: { plan: i % 2 === 0 ? 'pro' : 'free' },
  ...extra,
});

/** The ranking index in memory: hands out pages of 10 until the budget. */
function walkOver(items: Record<string, unknown>[]): RankedWalk {
  return {
    async walk(budget, _attrs, visit) {
      const read = items.slice(0, budget);
      for (let i = 0; i < read.length; i += 10) visit(read.slice(i, i + 10));
      return { read: read.length, complete: read.length === items.length };
    },
  };
}

describe('segment preview', () => {
  it('counts the draft over every profile, evaluated with the stored segments it references, and never counts a merged-away profile', async () => {
    const stored: Segment[] = [{ id: 'warm', name: 'Warm', conditions: [{ field: 'score', gte: 20 }] }];
    const draft = { id: 'warm-pro', name: 'Warm pro', conditions: [{ segment: 'warm' }, { field: 'traits.plan', equals: 'pro' }] } as Segment;
    const items = [...Array.from({ length: 40 }, (_, i) => profile(i)), profile(100, { mergedInto: 'p0' })];
    const result = await previewSegment(draft, stored, walkOver(items), new Date('2026-03-01T00:00:00Z'));
    expect(result).toMatchObject({ count: 10, exact: true, evaluated: 40 });
    expect(result.sample.map((s) => s.profileId)).toEqual(['p38', 'p36', 'p34', 'p32', 'p30', 'p28', 'p26', 'p24', 'p22', 'p20']);
  });

  it('previews a draft in place of the stored segment of the same id', async () => {
    const stored: Segment[] = [{ id: 'warm', name: 'Warm', conditions: [{ field: 'score', gte: 20 }] }];
    const draft = { id: 'warm', name: 'Warmer', conditions: [{ field: 'score', gte: 35 }] } as Segment;
    const result = await previewSegment(draft, stored, walkOver(Array.from({ length: 40 }, (_, i) => profile(i))), new Date());
    expect(result.count).toBe(5);
  });

  it('stops at its budget: not exact, the count found among those evaluated, a sample of at most `sample`', async () => {
    const draft = { id: 'any', name: 'Any', conditions: [{ field: 'score', gte: 0 }] } as Segment;
    const result = await previewSegment(draft, [], walkOver(Array.from({ length: 40 }, (_, i) => profile(i))), new Date(), { maxProfiles: 25, sample: 3 });
    expect(result).toMatchObject({ count: 25, exact: false, evaluated: 25 });
    expect(result.sample).toHaveLength(3);
  });
});
