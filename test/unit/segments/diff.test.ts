import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, changeId, diffMemberships, type Memberships } from '../../../functions/segments/domain/diff.js';

const t0 = new Date('2025-06-01T00:00:00.000Z');
const t1 = new Date('2025-06-02T00:00:00.000Z');

describe('membership diff', () => {
  it('enters and exits with the time, and leaves segments not evaluated alone', () => {
    const previous: Memberships = new Map([
      ['lapsed', t0.toISOString()],
      ['warm', t0.toISOString()],
      ['gone-definition', t0.toISOString()],
    ]);
    const next = new Map([
      ['warm', false],
      ['lapsed', true],
      ['pricing', true],
      ['cold', false],
    ]);
    expect(diffMemberships(previous, next, t1)).toEqual([
      { type: 'segment.entered', segmentId: 'pricing', at: t1.toISOString() },
      { type: 'segment.exited', segmentId: 'warm', at: t1.toISOString(), since: t0.toISOString() },
    ]);
  });

  it('keeps the entry time of a member who stays, and gives each change a stable id', () => {
    const changes = diffMemberships(new Map(), new Map([['warm', true]]), t0);
    const after = applyChanges(new Map(), changes);
    expect(after.get('warm')).toBe(t0.toISOString());
    expect(applyChanges(after, diffMemberships(after, new Map([['warm', true]]), t1)).get('warm')).toBe(t0.toISOString());
    expect(changeId('p1', changes[0]!)).toBe(`segment.entered#warm#p1#${t0.toISOString()}`);
  });

  const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const memberships = fc.dictionary(ids, fc.constant(t0.toISOString())).map((d) => new Map(Object.entries(d)));
  const results = fc.dictionary(ids, fc.boolean()).map((d) => new Map(Object.entries(d)));

  it('is idempotent: the same result applied twice yields no second change', () => {
    fc.assert(
      fc.property(memberships, results, (previous, next) => {
        const once = applyChanges(previous, diffMemberships(previous, next, t1));
        expect(diffMemberships(once, next, t1)).toEqual([]);
        for (const [id, member] of next) expect(once.has(id)).toBe(member);
      }),
    );
  });

  it('reports exactly the segments whose membership differs', () => {
    fc.assert(
      fc.property(memberships, results, (previous, next) => {
        const changed = diffMemberships(previous, next, t1).map((c) => c.segmentId);
        const expected = [...next].filter(([id, member]) => previous.has(id) !== member).map(([id]) => id).sort();
        expect(changed).toEqual(expected);
      }),
    );
  });
});
