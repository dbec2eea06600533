/**
 * Item-to-item neighbours from basket co-occurrence counts, weighted by Dunning's log-likelihood ratio (G²).
 *
 * Why G² and not raw counts, lift or cosine: raw counts rank the best sellers next to everything; lift and
 * PMI reward rare pairs seen once or twice by chance; G² measures how surprising the pair's count is given
 * both products' own counts and the number of baskets, and stays well behaved on small counts (Dunning 1993,
 * "Accurate methods for the statistics of surprise and coincidence"; the measure Mahout's item similarity
 * and many shop recommenders use). Only pairs seen together more often than chance would put them are kept
 * (G² is two-sided: a pair seen together less often than expected also scores high, and is dropped).
 * Pure.
 */

export const cooccurrenceLimits = {
  /** A pair counts only when seen together in at least this many baskets (one basket is anecdote). */
  minSupport: 2,
  /**
   * Baskets with more distinct products are left out of every count: pairs grow as n(n-1)/2, and such
   * baskets are bulk orders or crawlers. Equal to the products read from one order (catalog.ts).
   */
  maxBasketProducts: 50,
  /** Neighbours kept per product (model.ts recommendationLimits.topK). */
  topK: 20,
} as const;

/** Counts of one kind of basket (bought or viewed), as the lake query returns them. */
export interface CooccurrenceCounts {
  /** Baskets counted (within the size cap). */
  baskets: number;
  /** Baskets holding each product. */
  items: Map<string, number>;
  /** Baskets holding both products, for pairs at or over the minimum support; each pair once (a < b). */
  pairs: { a: string; b: string; n: number }[];
}

const xLogX = (x: number) => (x === 0 ? 0 : x * Math.log(x));
/** Unnormalised Shannon entropy of counts (Mahout's form): xLogX(Σk) − Σ xLogX(k). */
const entropy = (...k: number[]) => xLogX(k.reduce((s, x) => s + x, 0)) - k.reduce((s, x) => s + xLogX(x), 0);

/**
 * Dunning's G² of the 2×2 table [[k11, k12], [k21, k22]]: k11 baskets with both, k12 with A only, k21 with
 * B only, k22 with neither. Equal to 2 Σ O·ln(O/E); 0 for independence.
 */
export function logLikelihoodRatio(k11: number, k12: number, k21: number, k22: number): number {
  const row = entropy(k11 + k12, k21 + k22);
  const col = entropy(k11 + k21, k12 + k22);
  const mat = entropy(k11, k12, k21, k22);
  // Round-off can make an independent table slightly negative.
  return Math.max(0, 2 * (row + col - mat));
}

/** G² of a pair from the counts: 0 when the pair is seen together no more often than chance would have it. */
export function pairScore(nAB: number, nA: number, nB: number, baskets: number): number {
  if (nAB * baskets <= nA * nB) return 0;
  return logLikelihoodRatio(nAB, nA - nAB, nB - nAB, baskets - nA - nB + nAB);
}

export interface Neighbour {
  productId: string;
  score: number;
}

/** Scores as stored: 4 decimals, so a rebuild of the same counts writes the same numbers on any engine. */
export const roundScore = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * The top-K neighbours of every product that has one: pairs at or over minSupport, positively associated,
 * both sides recommendable; ranked by G², then by the pair's count, then by product id (a stable order).
 */
export function neighbours(
  counts: CooccurrenceCounts,
  opts: { recommendable: (productId: string) => boolean; minSupport?: number; topK?: number },
): Map<string, Neighbour[]> {
  const minSupport = opts.minSupport ?? cooccurrenceLimits.minSupport;
  const topK = opts.topK ?? cooccurrenceLimits.topK;
  const candidates = new Map<string, { productId: string; score: number; n: number }[]>();
  const add = (from: string, to: string, score: number, n: number) => {
    if (!opts.recommendable(to)) return;
    let list = candidates.get(from);
    if (!list) candidates.set(from, (list = []));
    list.push({ productId: to, score, n });
  };
  for (const { a, b, n } of counts.pairs) {
    if (n < minSupport || a === b) continue;
    const nA = counts.items.get(a);
    const nB = counts.items.get(b);
    if (nA === undefined || nB === undefined) continue;
    const score = roundScore(pairScore(n, nA, nB, counts.baskets));
    if (score <= 0) continue;
    add(a, b, score, n);
    add(b, a, score, n);
  }
  const out = new Map<string, Neighbour[]>();
  for (const [id, list] of candidates) {
    list.sort((x, y) => y.score - x.score || y.n - x.n || (x.productId < y.productId ? -1 : x.productId > y.productId ? 1 : 0));
    out.set(
      id,
      list.slice(0, topK).map(({ productId, score }) => ({ productId, score })),
    );
  }
  return out;
}
