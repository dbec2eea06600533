import { describe, expect, it } from 'vitest';
import { type CooccurrenceCounts, logLikelihoodRatio, neighbours, pairScore } from '../../../functions/recommendations/domain/cooccurrence.js';
import { popularLists } from '../../../functions/recommendations/domain/popular.js';

describe('log-likelihood ratio (G²)', () => {
  it('matches a hand computation of 2 Σ O ln(O/E)', () => {
    // 10 baskets; A in 4, B in 4, both in 3: k11 = 3, k12 = 1, k21 = 1, k22 = 5.
    // Expected counts: E11 = 4·4/10 = 1.6, E12 = E21 = 4·6/10 = 2.4, E22 = 6·6/10 = 3.6.
    // G² = 2 [3 ln(3/1.6) + 1 ln(1/2.4) + 1 ln(1/2.4) + 5 ln(5/3.6)]
    //    = 2 [3·0.628609 − 2·0.875469 + 5·0.328504] = 2 · 1.777409 = 3.554818
    expect(logLikelihoodRatio(3, 1, 1, 5)).toBeCloseTo(3.554818, 5);
    expect(pairScore(3, 4, 4, 10)).toBeCloseTo(3.554818, 5);
  });

  it('is 0 for independence and for pairs seen together less often than chance', () => {
    // 100 baskets, A in 10, B in 20, both in 2 = 10·20/100: exactly what chance gives.
    expect(logLikelihoodRatio(2, 8, 18, 72)).toBeCloseTo(0, 10);
    // Both in 1 < 2 expected: G² is positive, but the pair is negatively associated and scores 0.
    expect(logLikelihoodRatio(1, 9, 19, 71)).toBeGreaterThan(0);
    expect(pairScore(1, 10, 20, 100)).toBe(0);
  });
});

describe('neighbours', () => {
  const counts = (pairs: CooccurrenceCounts['pairs'], items: Record<string, number>, baskets: number): CooccurrenceCounts => ({ baskets, items: new Map(Object.entries(items)), pairs });
  const all = () => true;

  it('ranks by significance, not raw count: a best seller seen with everything ranks below a true complement', () => {
    // 100 baskets. Best seller P is in 60 and with A in 6 (expected 6: no association).
    // B is in 8 and with A in 5 (expected 0.8: strong association).
    const c = counts([{ a: 'A', b: 'P', n: 6 }, { a: 'A', b: 'B', n: 5 }], { A: 10, B: 8, P: 60 }, 100);

    const result = neighbours(c, { recommendable: all });

    expect(result.get('A')).toEqual([{ productId: 'B', score: expect.any(Number) }]);
    expect(result.get('B')?.map((n) => n.productId)).toEqual(['A']);
    expect(result.has('P')).toBe(false);
  });

  it('keeps pairs at or over the minimum support and leaves out unrecommendable products', () => {
    const c = counts([{ a: 'A', b: 'B', n: 1 }, { a: 'A', b: 'C', n: 3 }, { a: 'A', b: 'X', n: 4 }], { A: 8, B: 1, C: 3, X: 4 }, 50);

    const result = neighbours(c, { recommendable: (id) => id !== 'X', minSupport: 2 });

    expect(result.get('A')?.map((n) => n.productId)).toEqual(['C']);
    expect(result.has('X')).toBe(true);
    expect(result.get('X')?.map((n) => n.productId)).toEqual(['A']);
  });

  it('keeps the top K and orders equal scores by product id', () => {
    const pairs = ['d', 'b', 'c', 'a'].map((b) => ({ a: 'A', b: `x${b}`, n: 2 }));
    const c = counts(pairs, { A: 8, xa: 2, xb: 2, xc: 2, xd: 2 }, 40);

    expect(neighbours(c, { recommendable: all, topK: 3 }).get('A')?.map((n) => n.productId)).toEqual(['xa', 'xb', 'xc']);
  });
});

describe('popular lists', () => {
  it('ranks by distinct buyers, then viewers, per category and overall, without unavailable products', () => {
    const items = [
      { productId: 'a', buyers: 5, viewers: 1, category: 'bags' },
      { productId: 'b', buyers: 5, viewers: 9, category: 'bags' },
      { productId: 'c', buyers: 0, viewers: 50, category: 'shoes' },
      { productId: 'd', buyers: 9, viewers: 0, category: 'shoes' },
    ];

    const lists = popularLists(items, { recommendable: (id) => id !== 'd', topK: 20 });

    expect(lists.get('*')?.map((i) => i.productId)).toEqual(['b', 'a', 'c']);
    expect(lists.get('shoes')?.map((i) => i.productId)).toEqual(['c']);
  });
});
