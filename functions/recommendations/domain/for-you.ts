/**
 * "For you": a person's list blended at serving time from the neighbour lists of the products they recently
 * viewed or bought. Pure; serving reads the lists (one item per recent product) and calls this.
 *
 * Each recent product r contributes, to each of its neighbours n:
 *   weight(r) × score(n in r's list) / top score of r's list
 * where weight(r) = kind weight (bought 1, viewed 0.5) × 2^(−age/half-life) (half-life 7 days), and each
 * recent product counts once, at its latest time and strongest kind. Normalising by the list's top score
 * makes lists of products with many and few baskets comparable (G² grows with the counts). Products the
 * person bought, and products the caller marks unavailable, are never returned; ties go by product id.
 * An optional prior list (the popular list of the person's favourite category) is blended in with a
 * rank-decaying weight: bench/recommendations.ts shows it matters when the next purchase is not a
 * complement of the last ones.
 */
import type { TopList } from './model.js';

export const forYouDefaults = {
  /** Days after which a recent product's pull halves. */
  halfLifeDays: 7,
  kindWeight: { bought: 1, viewed: 0.5 },
  /** Weight of a prior list's first item (ForYouOptions.prior). */
  priorWeight: 0.5,
} as const;

export interface RecentProduct {
  productId: string;
  kind: 'viewed' | 'bought';
  /** When (ISO time or epoch ms). */
  at: string | number;
}

export interface ForYouOptions {
  /** The time ages are measured from (default: the latest recent product's time, so the result is pure). */
  now?: number;
  halfLifeDays?: number;
  /** False for products that may not be recommended (the catalog's `available: false`). */
  isAvailable?: (productId: string) => boolean;
  /**
   * A prior blended in: e.g. the popular list of the person's most viewed category. The item at rank i of
   * n adds priorWeight × (n − i) / n to its score (so it can outrank weak neighbours, and fills the places
   * the neighbours leave empty), with the same exclusions.
   */
  prior?: readonly { productId: string }[];
  /** Weight of the prior's first item, against 1 for a bought product's best neighbour (default 0.5). */
  priorWeight?: number;
}

const ms = (at: string | number) => (typeof at === 'number' ? at : Date.parse(at));

/**
 * The person's top `limit` products, best first, with their blended scores. `neighbours` holds one list
 * per recent product: its bought-together list for a product they bought, its viewed-together list for
 * one they viewed (what bench/recommendations.ts measures).
 */
export function forYou(
  recent: readonly RecentProduct[],
  neighbours: ReadonlyMap<string, TopList>,
  bought: ReadonlySet<string>,
  limit: number,
  opts: ForYouOptions = {},
): { productId: string; score: number }[] {
  const halfLife = (opts.halfLifeDays ?? forYouDefaults.halfLifeDays) * 86_400_000;
  const times = recent.map((r) => ms(r.at)).filter((t) => Number.isFinite(t));
  const now = opts.now ?? (times.length > 0 ? Math.max(...times) : 0);
  const pull = new Map<string, number>();
  for (const r of recent) {
    const t = ms(r.at);
    if (!Number.isFinite(t)) continue;
    const w = forYouDefaults.kindWeight[r.kind] * 2 ** (-Math.max(0, now - t) / halfLife);
    pull.set(r.productId, Math.max(pull.get(r.productId) ?? 0, w));
  }
  const scores = new Map<string, number>();
  for (const [productId, weight] of pull) {
    const items = neighbours.get(productId)?.items ?? [];
    const top = items.reduce((m, i) => Math.max(m, i.score), 0);
    if (top <= 0) continue;
    for (const n of items) {
      if (bought.has(n.productId) || (opts.isAvailable && !opts.isAvailable(n.productId))) continue;
      scores.set(n.productId, (scores.get(n.productId) ?? 0) + (weight * n.score) / top);
    }
  }
  const prior = opts.prior ?? [];
  const priorWeight = opts.priorWeight ?? forYouDefaults.priorWeight;
  prior.forEach(({ productId }, i) => {
    if (bought.has(productId) || (opts.isAvailable && !opts.isAvailable(productId))) return;
    scores.set(productId, (scores.get(productId) ?? 0) + (priorWeight * (prior.length - i)) / prior.length);
  });
  return [...scores]
    .map(([productId, score]) => ({ productId, score: Math.round(score * 1e6) / 1e6 }))
    .sort((a, b) => b.score - a.score || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .slice(0, Math.max(0, limit));
}
