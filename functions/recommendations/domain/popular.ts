/**
 * Popular products, overall (`*`) and per category: the fallback for a visitor with no history. Ranked by
 * distinct people who bought the product over the window, then by distinct people who viewed it (a shop
 * with few orders still gets a list), then by id. No recency weighting inside the window: the window itself
 * (90 days by default) bounds how old popularity may be, and the daily rebuild moves it. Pure.
 */
import type { Neighbour } from './cooccurrence.js';

export interface ItemPopularity {
  productId: string;
  buyers: number;
  viewers: number;
  category?: string;
}

/** Score of a product: buyers, with viewers as a fraction below one buyer's worth (so buyers rank first). */
export const popularityScore = (p: ItemPopularity, maxViewers: number) => p.buyers + (maxViewers > 0 ? p.viewers / (maxViewers + 1) : 0);

/** Top-K popular products per category and overall (key `*`), recommendable ones only. */
export function popularLists(items: readonly ItemPopularity[], opts: { recommendable: (productId: string) => boolean; topK: number }): Map<string, Neighbour[]> {
  const eligible = items.filter((i) => opts.recommendable(i.productId) && i.buyers + i.viewers > 0);
  const maxViewers = eligible.reduce((m, i) => Math.max(m, i.viewers), 0);
  const scored = eligible
    .map((i) => ({ ...i, score: Math.round(popularityScore(i, maxViewers) * 1e4) / 1e4 }))
    .sort((x, y) => y.score - x.score || (x.productId < y.productId ? -1 : x.productId > y.productId ? 1 : 0));
  const out = new Map<string, Neighbour[]>();
  const push = (key: string, i: { productId: string; score: number }) => {
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    if (list.length < opts.topK) list.push({ productId: i.productId, score: i.score });
  };
  for (const i of scored) {
    push('*', i);
    if (i.category) push(i.category, i);
  }
  return out;
}
