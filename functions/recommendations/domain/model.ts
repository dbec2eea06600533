/**
 * Recommendations: the shared contract of the catalog, the models and serving. Pure types, keys and limits.
 *
 * Main-table item families (functions/shared/resources.ts lists them all):
 * - product:   `cat#<productId>`                  / `product` → Product (catalog: events and uploads)
 * - neighbours:`rec#<strategy>#<productId>`       / `top`     → TopList (item-to-item, one read serves)
 * - popular:   `rec#popular#<category | "*">`     / `top`     → TopList (fallback for new visitors)
 * A model build writes whole TopLists (put, not update): serving reads one item per product asked about.
 */

/** A product as the catalog keeps it (Segment's e-commerce spec names: product_id, name, price, ...). */
export interface Product {
  productId: string;
  name: string;
  url?: string;
  image?: string;
  price?: number;
  currency?: string;
  category?: string;
  /** False: never recommended. Absent: available. */
  available?: boolean;
  /** When the catalog last learnt of it (ISO). */
  updatedAt: string;
  /** Where it came from: an upload (its values win) or events. Absent on records written before it existed. */
  source?: 'upload' | 'events';
}

/** Item-to-item strategies (stored per product) and the per-person and fallback ones (computed or stored). */
export const itemStrategies = ['bought-together', 'viewed-together'] as const;
export type ItemStrategy = (typeof itemStrategies)[number];
export const strategies = [...itemStrategies, 'for-you', 'popular'] as const;
export type Strategy = (typeof strategies)[number];

/** A stored top-K list: neighbours of one product, or the popular ones of a category. */
export interface TopList {
  items: { productId: string; score: number }[];
  /** When the model that wrote it was built (ISO), and from which window of the lake. */
  builtAt: string;
  window: { from: string; to: string };
}

export const recommendationLimits = {
  /** Neighbours kept per product, and the most one answer returns. */
  topK: 20,
  /** Product ids: Segment's product_id, bounded. */
  maxProductIdChars: 128,
  /** Products the catalog holds (an upload over it is refused). */
  maxProducts: 100_000,
} as const;

export const productKey = (productId: string) => ({ pk: `cat#${productId}`, sk: 'product' });
export const topKey = (strategy: ItemStrategy, productId: string) => ({ pk: `rec#${strategy}#${productId}`, sk: 'top' });
export const popularKey = (category?: string) => ({ pk: `rec#popular#${category ?? '*'}`, sk: 'top' });
