import { describe, expect, it } from 'vitest';
import { SegmentError } from '../../../functions/segments/errors.js';
import { type Segment, type SegmentCondition, segmentLimits } from '../../../functions/segments/domain/definition.js';
import { checkSegmentSet, dependentsOf, evaluationOrder } from '../../../functions/segments/domain/graph.js';

const seg = (id: string, ...refs: string[]): Segment => ({
  id,
  name: id,
  conditions: [{ field: 'known', equals: true }, ...refs.map((r): SegmentCondition => ({ any: [{ segment: r }] }))],
});

describe('segment reference graph', () => {
  it('orders every segment after the segments it references, stable otherwise', () => {
    const order = evaluationOrder([seg('c', 'b'), seg('a'), seg('b', 'a'), seg('d')]).map((s) => s.id);
    expect(order).toEqual(['a', 'd', 'b', 'c']);
  });

  it('names the cycle and the reference that closes it', () => {
    const issues = checkSegmentSet([seg('a', 'b'), seg('b', 'c'), seg('c', 'a'), seg('x')]);
    expect(issues).toEqual([{ segment: 'c', path: 'conditions[1].any[0].segment', message: 'segments reference each other in a cycle: a → b → c → a' }]);
    expect(() => evaluationOrder([seg('a', 'b'), seg('b', 'a')])).toThrow(SegmentError);
    expect(() => evaluationOrder([seg('a', 'b'), seg('b', 'a')])).toThrow(/a → b → a/);
  });

  it('names an unknown reference with the id probably meant', () => {
    expect(checkSegmentSet([seg('lapsed-buyers'), seg('b', 'lapsed-buyer')])).toEqual([
      { segment: 'b', path: 'conditions[1].any[0].segment', message: 'no segment has the id "lapsed-buyer"', suggestion: 'lapsed-buyers' },
    ]);
  });

  it('refuses duplicate ids, chains deeper than the limit and more segments than the limit', () => {
    expect(checkSegmentSet([seg('a'), seg('a')])).toEqual([{ segment: 'a', path: 'id', message: 'duplicate segment id "a"' }]);
    const chain = Array.from({ length: segmentLimits.maxReferenceDepth + 2 }, (_, i) => seg(`s${i}`, ...(i > 0 ? [`s${i - 1}`] : [])));
    const deep = checkSegmentSet(chain);
    expect(deep).toHaveLength(1);
    expect(deep[0]).toMatchObject({ segment: `s${segmentLimits.maxReferenceDepth + 1}`, message: expect.stringContaining('s4 → s3 → s2 → s1 → s0') });
    expect(checkSegmentSet(chain.slice(0, -1))).toEqual([]);
    const many = Array.from({ length: segmentLimits.maxSegments + 1 }, (_, i) => seg(`s${i}`));
    expect(checkSegmentSet(many)).toEqual([{ segment: `s${segmentLimits.maxSegments}`, path: '', message: expect.stringContaining(`at most ${segmentLimits.maxSegments} segments`) }]);
  });

  it('finds the segments that depend on a changed one, directly or through others', () => {
    const set = [seg('a'), seg('b', 'a'), seg('c', 'b'), seg('d')];
    expect([...dependentsOf(set, new Set(['a']))].sort()).toEqual(['b', 'c']);
    expect(dependentsOf(set, new Set(['d'])).size).toBe(0);
  });
});
