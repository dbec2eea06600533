/**
 * One model build, pure: from the lake's counts over a window and the catalog, every TopList to write
 * (bought-together and viewed-together per product, popular per category and overall), and which lists
 * of the previous build to delete. The adapters read the counts (SQL counts; this weights and ranks) and
 * write the result. The same counts and catalog give the same lists: a rebuild is idempotent.
 */
import { isAvailable } from './catalog.js';
import { type CooccurrenceCounts, cooccurrenceLimits, neighbours } from './cooccurrence.js';
import { type ItemStrategy, popularKey, type Product, recommendationLimits, type TopList, topKey } from './model.js';
import { popularLists } from './popular.js';

export const buildLimits = {
  /** Days of the lake a build reads when not told otherwise. */
  defaultWindowDays: 90,
  /** Most days one build reads. */
  maxWindowDays: 366,
} as const;

/** The list families a build writes, each with its own manifest of what it wrote. */
export const listFamilies = ['bought-together', 'viewed-together', 'popular'] as const;
export type ListFamily = (typeof listFamilies)[number];

export interface LakeCounts {
  window: { from: string; to: string };
  bought: CooccurrenceCounts;
  viewed: CooccurrenceCounts;
  /** Distinct people who bought / viewed each product over the window. */
  people: Map<string, { buyers: number; viewers: number }>;
  /** The latest spec fields events gave each product (catalog.ts productOf). */
  learnt: Product[];
}

export interface BuiltList {
  family: ListFamily;
  key: { pk: string; sk: string };
  list: TopList;
}

export interface ModelBuild {
  lists: BuiltList[];
  figures: { products: number; boughtBaskets: number; viewedBaskets: number; boughtPairs: number; viewedPairs: number; lists: Record<ListFamily, number> };
}

const strategyCounts: Record<ItemStrategy, 'bought' | 'viewed'> = { 'bought-together': 'bought', 'viewed-together': 'viewed' };

/** Every list of one build; `catalog` is the catalog after this build's learnt products were merged in. */
export function buildModels(counts: LakeCounts, catalog: ReadonlyMap<string, Product>, builtAt: string): ModelBuild {
  const recommendable = (id: string) => isAvailable(catalog.get(id));
  const topK = recommendationLimits.topK;
  const lists: BuiltList[] = [];
  const tally: Record<ListFamily, number> = { 'bought-together': 0, 'viewed-together': 0, popular: 0 };
  const meta = { builtAt, window: counts.window };
  for (const strategy of ['bought-together', 'viewed-together'] as const) {
    const byProduct = neighbours(counts[strategyCounts[strategy]], { recommendable, topK, minSupport: cooccurrenceLimits.minSupport });
    for (const id of [...byProduct.keys()].sort()) {
      lists.push({ family: strategy, key: topKey(strategy, id), list: { items: byProduct.get(id)!, ...meta } });
      tally[strategy]++;
    }
  }
  const popularity = [...counts.people].map(([productId, p]) => {
    const category = catalog.get(productId)?.category;
    return { productId, buyers: p.buyers, viewers: p.viewers, ...(category ? { category } : {}) };
  });
  const popular = popularLists(popularity, { recommendable, topK });
  for (const category of [...popular.keys()].sort()) {
    lists.push({ family: 'popular', key: popularKey(category === '*' ? undefined : category), list: { items: popular.get(category)!, ...meta } });
    tally.popular++;
  }
  return {
    lists,
    figures: {
      products: counts.people.size,
      boughtBaskets: counts.bought.baskets,
      viewedBaskets: counts.viewed.baskets,
      boughtPairs: counts.bought.pairs.length,
      viewedPairs: counts.viewed.pairs.length,
      lists: tally,
    },
  };
}

/** The partition keys a previous build wrote that this one did not: their lists are deleted. */
export function staleKeys(previous: Iterable<string>, current: Iterable<string>): string[] {
  const now = new Set(current);
  return [...new Set(previous)].filter((pk) => !now.has(pk)).sort();
}

/** The window of a build of `days` days ending at `now`: [now − days, now). */
export function buildWindow(now: Date, days: number = buildLimits.defaultWindowDays): { from: Date; to: Date; days: number } {
  const d = Math.min(buildLimits.maxWindowDays, Math.max(1, Math.floor(days)));
  return { from: new Date(now.getTime() - d * 86_400_000), to: now, days: d };
}
