/**
 * Recommendations in mail: the products a template's `recommendations` front matter asks for, for one
 * recipient, on the serving use case's reads (adapters/serving-store.ts, in-process in the send function).
 * The recipient's profile is already loaded by the send, so no person read is made: one BatchGetItem of
 * the lists (the strategy's and the popular fallback's together), one of their products.
 */
import { type Product, popularKey, type TopList, topKey } from './domain/model.js';
import { forYou } from './domain/for-you.js';
import { activityOf, type RecommendedItem, recIdOf, servable, servingLimits, type Variant, variantOf } from './domain/serving.js';
import type { ActivityEntry } from '../profiles/domain/profile.js';
import type { ServingReads } from './serving.js';

/** Strategies a template may ask for (item-to-item ones take the recipient's latest purchase as the product). */
export const mailStrategies = ['for-you', 'popular', 'bought-together'] as const;
export type MailStrategy = (typeof mailStrategies)[number];

export const mailRecommendationLimits = {
  /** Products a mail shows at most (`limit` in the front matter). */
  maxLimit: 10,
  /** Products a mail shows when the front matter names no `limit`. */
  defaultLimit: 4,
} as const;

/** A template's `recommendations` front matter, as checked (functions/sending/domain/check.ts). */
export interface MailRecommendationSpec {
  strategy: MailStrategy;
  limit?: number;
  /** The popular list used by `popular` and by the fallback of the others (default: overall). */
  category?: string;
}

/**
 * One product as a template sees it: every field present (null when the catalog lacks it), so a strict
 * Liquid render never fails on `{{ item.image }}` of a product without an image.
 */
export interface MailItem {
  productId: string;
  name: string;
  url: string | null;
  image: string | null;
  price: number | null;
  currency: string | null;
  category: string | null;
}

/** What a mail renders: `recommendations` items (urls already carry the attribution parameters). */
export interface MailRecommendations {
  strategy: MailStrategy;
  variant: Variant;
  recId: string;
  items: MailItem[];
  fallback?: 'popular';
}

/** URL parameters a recommended product's link carries in mail, read back when the link is clicked. */
export const recParams = { recId: 'recId', strategy: 'recStrategy', variant: 'recVariant' } as const;

/** The product URL with the recommendation's id, strategy and variant (relative or bad URLs are left as they are). */
export function withRecParams(url: string, rec: { recId: string; strategy: string; variant: string }): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return url;
  u.searchParams.set(recParams.recId, rec.recId);
  u.searchParams.set(recParams.strategy, rec.strategy);
  u.searchParams.set(recParams.variant, rec.variant);
  return u.toString();
}

/**
 * The recipient's recommendations. The variant is the serving one (variantOf) hashed on the profile id:
 * control recipients get the popular list. An empty list is an answer (the template shows its fallback).
 */
export async function recommendForRecipient(
  recipient: { profileId: string; recent: readonly ActivityEntry[] },
  spec: MailRecommendationSpec,
  ports: { reads: ServingReads; controlShare: number },
): Promise<MailRecommendations> {
  const limit = Math.min(spec.limit ?? mailRecommendationLimits.defaultLimit, mailRecommendationLimits.maxLimit);
  const variant = variantOf(recipient.profileId, ports.controlShare);
  const { recent, bought } = activityOf(recipient.recent);
  const seeds =
    variant === 'control' || spec.strategy === 'popular'
      ? []
      : spec.strategy === 'for-you'
        ? recent.slice(0, servingLimits.forYouSeeds)
        : recent.filter((r) => r.kind === 'bought').slice(0, 1);
  const seedKey = (productId: string, kind: 'viewed' | 'bought') =>
    topKey(spec.strategy === 'bought-together' || kind === 'bought' ? 'bought-together' : 'viewed-together', productId);
  const popularKeys = spec.category ? [popularKey(spec.category), popularKey()] : [popularKey()];
  const { lists } = await ports.reads.read({ lists: [...seeds.map((s) => seedKey(s.productId, s.kind)), ...popularKeys] });

  const neighbours = new Map<string, TopList>();
  for (const s of seeds) {
    const list = lists.get(seedKey(s.productId, s.kind).pk);
    if (list) neighbours.set(s.productId, list);
  }
  // Ask for more than the limit: unavailable products are only known once the catalog is read.
  const ranked = seeds.length > 0 ? forYou(seeds, neighbours, bought, limit * 2).map((r) => r.productId) : [];
  const popular = popularKeys.flatMap((k) => lists.get(k.pk)?.items.map((i) => i.productId) ?? []);
  const { products } = await ports.reads.read({ products: [...ranked, ...popular] });
  // As serving's for-you: what they bought is never shown (what they only looked at may be).
  const exclude = new Set(bought);
  let items = servable(ranked, products as ReadonlyMap<string, Product>, exclude, limit);
  const fallback = items.length === 0 && variant === 'model' && spec.strategy !== 'popular';
  if (items.length === 0) items = servable(popular, products, exclude, limit);
  const builtAt = [...neighbours.values(), ...popularKeys.map((k) => lists.get(k.pk))].map((l) => l?.builtAt ?? '').join(',');
  const recId = recIdOf(['mail', spec.strategy, variant, recipient.profileId, spec.category, builtAt]);
  const tag = { recId, strategy: spec.strategy, variant };
  return {
    strategy: spec.strategy,
    variant,
    recId,
    items: items.map((i) => mailItem(i, tag)),
    ...(fallback ? { fallback: 'popular' as const } : {}),
  };
}

function mailItem(i: RecommendedItem, tag: { recId: string; strategy: string; variant: string }): MailItem {
  return {
    productId: i.productId,
    name: i.name,
    url: i.url ? withRecParams(i.url, tag) : null,
    image: i.image ?? null,
    price: i.price ?? null,
    currency: i.currency ?? null,
    category: i.category ?? null,
  };
}

/** Products a template check renders its preview with (and checks its product cards against). */
export const sampleMailItems: MailItem[] = [
  { productId: 'sample-1', name: 'Trail running shoes', url: 'https://shop.example.com/p/sample-1', image: 'https://shop.example.com/img/sample-1.jpg', price: 89, currency: 'EUR', category: 'shoes' },
  { productId: 'sample-2', name: 'Merino socks', url: 'https://shop.example.com/p/sample-2', image: null, price: 14.5, currency: 'EUR', category: 'socks' },
];
