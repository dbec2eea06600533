/**
 * Serving recommendations: the pure rules of `GET /v1/recommendations`. Which strategy a request means,
 * which visitors are the held-out control, what a person's recent activity says they looked at and bought,
 * how neighbour lists blend into "for you", and what an answer holds. No I/O (the use case is ../serving.ts).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { ActivityEntry } from '../../profiles/domain/profile.js';
import { type ItemStrategy, type Product, recommendationLimits, type Strategy, strategies } from './model.js';

export const servingLimits = {
  /** Items an answer holds unless `limit` says otherwise (at most recommendationLimits.topK). */
  defaultLimit: 10,
  /** Longest anonymousId / userId (ingest's id limit, so any id the tracker sends is accepted). */
  maxIdChars: 256,
  /** Longest category name asked for (`popular` with `category`). */
  maxCategoryChars: 128,
  /** A person's latest distinct products whose neighbour lists "for you" blends (one BatchGetItem of this many lists). */
  forYouSeeds: 5,
  /** Default share of visitors held out as the control (config `nurture:recommendationControlShare`). */
  defaultControlShare: 0.1,
} as const;

/** Printable text without control characters: ids become parts of DynamoDB keys and of cache keys. */
const printable = /^[^\u0000-\u001f\u007f]+$/;
const idText = (max: number, what: string) =>
  z.string().check(z.minLength(1, `${what} is empty`), z.maxLength(max, `${what} is longer than ${max} characters`), z.regex(printable, `${what} holds control characters`));

/** The query of `GET /v1/recommendations` (values are strings; `limit` is coerced). */
export const recommendationQuerySchema = z.object({
  anonymousId: z.optional(idText(servingLimits.maxIdChars, 'anonymousId')),
  userId: z.optional(idText(servingLimits.maxIdChars, 'userId')),
  productId: z.optional(idText(recommendationLimits.maxProductIdChars, 'productId')),
  strategy: z.optional(z.enum(strategies)),
  category: z.optional(idText(servingLimits.maxCategoryChars, 'category')),
  limit: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, 'limit is a whole number')),
      z.pipe(z.transform(Number), z.number().check(z.minimum(1, 'limit is at least 1'), z.maximum(recommendationLimits.topK, `limit is at most ${recommendationLimits.topK}`))),
    ),
  ),
  /** The write key, for browsers (a CORS-simple GET carries no Authorization header); Basic auth works too. */
  writeKey: z.optional(z.string().check(z.maxLength(128))),
});
export type RecommendationQuery = z.output<typeof recommendationQuerySchema>;

/** Why a request cannot be served as asked: the field at fault and what is wrong. */
export interface QueryProblem {
  field: string;
  message: string;
}

/**
 * The strategy a request means. Asked: bought-together / viewed-together need `productId`, for-you needs
 * the person (anonymousId or userId). Default: bought-together when a product is given, else for-you when
 * the person is, else popular.
 */
export function strategyOf(q: Pick<RecommendationQuery, 'strategy' | 'productId' | 'anonymousId' | 'userId'>): Strategy | QueryProblem {
  const person = Boolean(q.anonymousId || q.userId);
  switch (q.strategy) {
    case 'bought-together':
    case 'viewed-together':
      return q.productId ? q.strategy : { field: 'productId', message: `strategy ${q.strategy} needs a productId` };
    case 'for-you':
      return person ? 'for-you' : { field: 'anonymousId', message: 'strategy for-you needs an anonymousId or a userId' };
    case 'popular':
      return 'popular';
    case undefined:
      return q.productId ? 'bought-together' : person ? 'for-you' : 'popular';
  }
}

export type Variant = 'control' | 'model';

/** A stable number in [0, 1) from an id: the same visitor always lands on the same side. */
export function bucketOf(id: string): number {
  return createHash('sha256').update(`nurture-rec-control:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Control or model, by a stable hash of the visitor's anonymousId (else userId). A request naming no
 * visitor cannot be attributed to one, so it is served by the model and measured nowhere.
 */
export function variantOf(visitor: string | undefined, controlShare: number): Variant {
  if (!visitor) return 'model';
  return bucketOf(visitor) < controlShare ? 'control' : 'model';
}

/** Product ids an activity entry names, as Segment's e-commerce spec puts them (`product_id`, `products[]`). */
function productIdsIn(data: Record<string, unknown> | undefined): string[] {
  if (!data) return [];
  const one = (v: unknown) => (typeof v === 'string' && v ? [v] : typeof v === 'number' ? [String(v)] : []);
  const out = [...one(data.product_id), ...one(data.productId)];
  if (Array.isArray(data.products)) for (const p of data.products) if (p && typeof p === 'object') out.push(...one((p as Record<string, unknown>).product_id), ...one((p as Record<string, unknown>).productId));
  return out.filter((id) => id.length <= recommendationLimits.maxProductIdChars);
}

/** A product the person recently looked at or bought (the models' domain/for-you.ts shape). */
import type { RecentProduct } from './for-you.js';
export type { RecentProduct };

/**
 * What a person's recent business events say: each product looked at or bought once, at its latest time
 * and strongest kind (bought over viewed), newest first; and what they bought.
 */
export function activityOf(recent: readonly ActivityEntry[]): { recent: RecentProduct[]; bought: Set<string> } {
  const byId = new Map<string, RecentProduct>();
  const bought = new Set<string>();
  for (const e of recent) {
    if (e.type !== 'track' || (e.name !== 'Product Viewed' && e.name !== 'Order Completed')) continue;
    const kind = e.name === 'Order Completed' ? 'bought' : 'viewed';
    for (const productId of productIdsIn(e.data)) {
      if (kind === 'bought') bought.add(productId);
      const had = byId.get(productId);
      byId.set(productId, {
        productId,
        kind: had?.kind === 'bought' ? 'bought' : kind,
        at: had && had.at > e.t ? had.at : e.t,
      });
    }
  }
  const newestFirst = [...byId.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.productId < b.productId ? -1 : 1));
  return { recent: newestFirst, bought };
}

/** The neighbour list "for you" reads for a recent product: bought-together if they bought it, else viewed-together. */
export const seedStrategy = (r: RecentProduct): ItemStrategy => (r.kind === 'bought' ? 'bought-together' : 'viewed-together');

/** One recommended product as the page gets it. */
export interface RecommendedItem {
  productId: string;
  name: string;
  url?: string;
  image?: string;
  price?: number;
  currency?: string;
  category?: string;
}

/**
 * The ids of `ranked` that may be shown, in order: in the catalog, not unavailable, not excluded (the
 * product asked about, what the person bought), each once, at most `limit`.
 */
export function servable(ranked: readonly string[], products: ReadonlyMap<string, Product>, exclude: ReadonlySet<string>, limit: number): RecommendedItem[] {
  const out: RecommendedItem[] = [];
  const taken = new Set<string>();
  for (const id of ranked) {
    if (out.length >= limit) break;
    const p = products.get(id);
    if (!p || p.available === false || exclude.has(id) || taken.has(id)) continue;
    taken.add(id);
    out.push(itemOf(p));
  }
  return out;
}

function itemOf(p: Product): RecommendedItem {
  return {
    productId: p.productId,
    name: p.name,
    ...(p.url !== undefined ? { url: p.url } : {}),
    ...(p.image !== undefined ? { image: p.image } : {}),
    ...(p.price !== undefined ? { price: p.price } : {}),
    ...(p.currency !== undefined ? { currency: p.currency } : {}),
    ...(p.category !== undefined ? { category: p.category } : {}),
  };
}

/** The answer of `GET /v1/recommendations`. */
export interface RecommendationAnswer {
  strategy: Strategy;
  variant: Variant;
  /** Opaque; the tracker sends it back with impressions and clicks. */
  recId: string;
  items: RecommendedItem[];
  /** Set when the strategy's list was empty and the popular one answered instead. */
  fallback?: 'popular';
}

/**
 * An opaque recommendation id: a digest of what made the answer (strategy, variant, subject, the list's
 * build), so the same answer has the same id and a cached answer stays consistent with its ETag.
 */
export function recIdOf(parts: readonly (string | undefined)[]): string {
  return `r_${createHash('sha256').update(parts.map((p) => p ?? '').join('\u0001')).digest('base64url').slice(0, 16)}`;
}

/** Cache-Control of an answer: product-only answers are shared; per-person ones stay in the browser. */
export function cacheControlOf(strategy: Strategy): string {
  return strategy === 'for-you' ? 'private, max-age=60' : 'public, max-age=300';
}

/** A strong ETag of an answer body. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Whether an If-None-Match header names `etag` (a list, or `*`; weak comparison as RFC 9110 asks for GET). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}
