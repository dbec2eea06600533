/**
 * The serving use cases: `recommend` (one TopList read, one BatchGetItem of its products, the popular
 * fallback when the list has nothing to show) and `personalizeVisitor`. The reads are ports
 * (adapters/serving-store.ts), so this module never knows where it runs.
 */
import { BadRequestError } from '../shared/errors.js';
import { type ItemStrategy, itemStrategies, popularKey, type Product, type Strategy, type TopList, topKey } from './domain/model.js';
import { forYou } from './domain/for-you.js';
import { type PersonalizeAnswer, type PersonView, personalize } from './domain/personalize.js';
import {
  activityOf,
  type RecommendationAnswer,
  type RecentProduct,
  type RecommendationQuery,
  recIdOf,
  seedStrategy,
  servable,
  servingLimits,
  strategyOf,
  variantOf,
} from './domain/serving.js';

type Key = { pk: string; sk: string };

/** The reads serving makes; DynamoServingStore implements them with GetItem, BatchGetItem and Query only. */
export interface ServingReads {
  /** Stored TopLists by partition key and catalog products by id, absent ones missing: one BatchGetItem. */
  read(ask: { lists?: readonly Key[]; products?: readonly string[] }): Promise<{ lists: Map<string, TopList>; products: Map<string, Product> }>;
  /** The profile an anonymousId / userId resolves to, without writing anything; undefined if none. */
  person(who: { anonymousId?: string; userId?: string }): Promise<PersonView | undefined>;
  /** Ids of segments flagged `public`. */
  publicSegments(): Promise<ReadonlySet<string>>;
}

export interface ServingPorts {
  reads: ServingReads;
  /** Share of visitors held out as the control (0-1). */
  controlShare: number;
}

/** The answer for one validated query (the write key already checked by the route). */
export async function recommend(q: RecommendationQuery, ports: ServingPorts): Promise<RecommendationAnswer> {
  const strategy = strategyOf(q);
  if (typeof strategy !== 'string') throw new BadRequestError(strategy.field, strategy.message);
  const visitor = q.anonymousId ?? q.userId;
  const variant = variantOf(visitor, ports.controlShare);
  const limit = q.limit ?? servingLimits.defaultLimit;
  const exclude = new Set<string>(q.productId ? [q.productId] : []);
  const { reads } = ports;
  const answer = (items: RecommendationAnswer['items'], builtAt: string | undefined, fallback: boolean): RecommendationAnswer => ({
    strategy,
    variant,
    recId: recIdOf([strategy, variant, strategy === 'for-you' ? visitor : q.productId, q.category, builtAt]),
    items,
    ...(fallback ? { fallback: 'popular' as const } : {}),
  });

  let ranked: string[] = [];
  let builtAt: string | undefined;
  // The product asked about is read with the list (one BatchGetItem): its category picks the fallback.
  let subject: Product | undefined;
  if (variant === 'model' && strategy !== 'popular') {
    const found = isItem(strategy) ? await itemList(strategy, q.productId!, reads) : await forYouList(q, limit, reads, exclude);
    ({ ranked, builtAt, subject } = found);
  } else if (q.productId && !q.category) {
    subject = (await reads.read({ products: [q.productId] })).products.get(q.productId);
  }
  if (ranked.length > 0) {
    const { products } = await reads.read({ products: ranked });
    const items = servable(ranked, products, exclude, limit);
    if (items.length > 0) return answer(items, builtAt, false);
  }
  const popular = await popularList(q.category ?? subject?.category, reads);
  const items = servable(popular.ranked, (await reads.read({ products: popular.ranked })).products, exclude, limit);
  return answer(items, popular.builtAt, variant === 'model' && strategy !== 'popular');
}

const isItem = (s: Strategy): s is ItemStrategy => (itemStrategies as readonly string[]).includes(s);

async function itemList(strategy: ItemStrategy, productId: string, reads: ServingReads) {
  const key = topKey(strategy, productId);
  const { lists, products } = await reads.read({ lists: [key], products: [productId] });
  const list = lists.get(key.pk);
  return { ranked: list?.items.map((i) => i.productId) ?? [], builtAt: list?.builtAt, subject: products.get(productId) };
}

/** The person's recent products blended from their neighbours' lists; what they bought is added to `exclude`. */
async function forYouList(q: RecommendationQuery, limit: number, reads: ServingReads, exclude: Set<string>) {
  const person = await reads.person({ ...(q.anonymousId ? { anonymousId: q.anonymousId } : {}), ...(q.userId ? { userId: q.userId } : {}) });
  const none = { ranked: [] as string[], builtAt: undefined, subject: undefined };
  if (!person) return none;
  const { recent, bought } = activityOf(person.recent);
  for (const id of bought) exclude.add(id);
  const seeds = recent.slice(0, servingLimits.forYouSeeds);
  if (seeds.length === 0) return none;
  const keyOf = (r: RecentProduct) => topKey(seedStrategy(r), r.productId);
  const { lists } = await reads.read({ lists: seeds.map(keyOf) });
  const neighbours = new Map<string, TopList>();
  let builtAt: string | undefined;
  for (const r of seeds) {
    const list = lists.get(keyOf(r).pk);
    if (!list) continue;
    neighbours.set(r.productId, list);
    builtAt = maxOf(builtAt, list.builtAt);
  }
  // Ask for more than the limit: unavailable products are only known once the catalog is read.
  const ranked = forYou(seeds, neighbours, bought, limit * 2).map((r) => r.productId);
  return { ranked, builtAt: `${builtAt ?? ''}:${seeds.map((r) => r.productId).join(',')}`, subject: undefined };
}

const maxOf = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);

/** Popular in the category (when known) first, then popular overall: both lists in one read. */
async function popularList(category: string | undefined, reads: ServingReads) {
  const keys = category ? [popularKey(category), popularKey()] : [popularKey()];
  const { lists } = await reads.read({ lists: keys });
  const ranked = keys.flatMap((k) => lists.get(k.pk)?.items.map((i) => i.productId) ?? []);
  return { ranked, builtAt: keys.map((k) => lists.get(k.pk)?.builtAt ?? '').join(',') };
}

/** What a page may know about the visitor (domain/personalize.ts); an unknown visitor is not an error. */
export async function personalizeVisitor(who: { anonymousId?: string; userId?: string }, reads: ServingReads): Promise<PersonalizeAnswer> {
  const [person, publicSegments] = await Promise.all([reads.person(who), reads.publicSegments()]);
  return personalize(person, publicSegments);
}
