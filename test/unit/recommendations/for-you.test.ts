import { describe, expect, it } from 'vitest';
import { forYou } from '../../../functions/recommendations/domain/for-you.js';
import type { TopList } from '../../../functions/recommendations/domain/model.js';

const list = (items: [string, number][]): TopList => ({ items: items.map(([productId, score]) => ({ productId, score })), builtAt: '2026-01-01T00:00:00Z', window: { from: '', to: '' } });
const day = (n: number) => Date.UTC(2026, 0, 1 + n);

describe('for you', () => {
  const neighbours = new Map([
    ['shirt', list([['tie', 40], ['belt', 20]])],
    ['shoes', list([['socks', 10], ['belt', 10]])],
  ]);

  it('blends neighbours of recent products, recent ones weighing more', () => {
    // Now = day 7. shirt viewed 7 days ago: 0.5 × 2^-1 = 0.25; shoes viewed now: 0.5.
    // tie = 0.25 × 40/40 = 0.25; belt = 0.25 × 20/40 + 0.5 × 10/10 = 0.625; socks = 0.5 × 10/10 = 0.5.
    const recent = [
      { productId: 'shirt', kind: 'viewed' as const, at: day(0) },
      { productId: 'shoes', kind: 'viewed' as const, at: day(7) },
    ];

    expect(forYou(recent, neighbours, new Set(), 10)).toEqual([
      { productId: 'belt', score: 0.625 },
      { productId: 'socks', score: 0.5 },
      { productId: 'tie', score: 0.25 },
    ]);
  });

  it('excludes what the person bought and unavailable products, and honours the limit', () => {
    const recent = [{ productId: 'shirt', kind: 'bought' as const, at: new Date(day(1)).toISOString() }, { productId: 'shoes', kind: 'viewed' as const, at: day(1) }];

    const result = forYou(recent, neighbours, new Set(['shirt', 'belt']), 1, { isAvailable: (id) => id !== 'tie' });

    expect(result.map((r) => r.productId)).toEqual(['socks']);
  });

  it('returns nothing for a person without history or neighbours', () => {
    expect(forYou([], neighbours, new Set(), 10)).toEqual([]);
    expect(forYou([{ productId: 'unknown', kind: 'viewed', at: day(0) }], neighbours, new Set(), 10)).toEqual([]);
  });

  it('blends a prior list with a rank-decaying weight, under the same exclusions', () => {
    // shoes viewed now: socks = belt = 0.5. Prior [hat, belt, tie] at weight 0.5: hat 0.5, belt +1/3, tie 1/6.
    const recent = [{ productId: 'shoes', kind: 'viewed' as const, at: day(0) }];

    const result = forYou(recent, neighbours, new Set(['tie']), 10, { prior: [{ productId: 'hat' }, { productId: 'belt' }, { productId: 'tie' }] });

    expect(result).toEqual([
      { productId: 'belt', score: 0.833333 },
      { productId: 'hat', score: 0.5 },
      { productId: 'socks', score: 0.5 },
    ]);
  });
});
