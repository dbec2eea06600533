/**
 * The catalog learnt from e-commerce events: product records from `Product Viewed` / `Product Clicked` /
 * `Product Added` (the product is the properties) and `Order Completed` (its `products[]`), with the field
 * names of Segment's e-commerce spec (product_id or sku, name, price, currency, category, url, image_url).
 * Pure and total: a malformed product is skipped, never thrown on.
 */
import { type Product, recommendationLimits } from './model.js';

export const catalogLimits = {
  maxProductIdChars: recommendationLimits.maxProductIdChars,
  /** Longest product name kept; longer names are cut. */
  maxNameChars: 200,
  /** Longest category kept (it is part of a popular list's key); longer ones are left out. */
  maxCategoryChars: 100,
  /** Longest url or image url kept; longer ones are left out. */
  maxUrlChars: 2048,
  /** Products read from one order (`products[]`); the rest are ignored. */
  maxOrderProducts: 50,
} as const;

/** The events the catalog and the models read, by the role they play. */
export const productEvents = { viewed: ['Product Viewed', 'Product Clicked', 'Product Added'], bought: ['Order Completed'] } as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A product id: product_id, else sku (strings or finite numbers), 1..128 characters, no control characters. */
export function productIdOf(props: Record<string, unknown>): string | undefined {
  for (const v of [props.product_id, props.sku]) {
    const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
    // eslint-disable-next-line no-control-regex
    if (s && s.length <= catalogLimits.maxProductIdChars && !/[\u0000-\u001f\u007f]/.test(s)) return s;
  }
  return undefined;
}

/** An http(s) URL of at most maxUrlChars, or undefined. */
export function httpUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > catalogLimits.maxUrlChars) return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? v : undefined;
  } catch {
    return undefined;
  }
}

const price = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};
const currency = (v: unknown) => (typeof v === 'string' && /^[A-Za-z]{3}$/.test(v) ? v.toUpperCase() : undefined);
const category = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && v.length <= catalogLimits.maxCategoryChars ? v.trim() : undefined);

/** The product one spec-shaped object describes, seen at `at` (ISO); undefined without a usable id. */
export function productOf(props: Record<string, unknown>, at: string): Product | undefined {
  const productId = productIdOf(props);
  if (!productId) return undefined;
  const name = typeof props.name === 'string' && props.name.trim() !== '' ? props.name.trim().slice(0, catalogLimits.maxNameChars) : productId;
  const p: Product = { productId, name, updatedAt: at };
  const url = httpUrl(props.url);
  const image = httpUrl(props.image_url);
  const amount = price(props.price);
  const cur = currency(props.currency);
  const cat = category(props.category);
  if (url) p.url = url;
  if (image) p.image = image;
  if (amount !== undefined) p.price = amount;
  if (cur) p.currency = cur;
  if (cat) p.category = cat;
  return p;
}

/** The products an event names: the properties of a product event, the first 50 `products[]` of an order. */
export function productsOfEvent(event: { event: string; properties?: unknown; timestamp: string }): Product[] {
  const props = isRecord(event.properties) ? event.properties : undefined;
  if (!props) return [];
  if ((productEvents.viewed as readonly string[]).includes(event.event)) {
    const p = productOf(props, event.timestamp);
    return p ? [p] : [];
  }
  if ((productEvents.bought as readonly string[]).includes(event.event) && Array.isArray(props.products)) {
    const out = new Map<string, Product>();
    for (const item of props.products.slice(0, catalogLimits.maxOrderProducts)) {
      if (!isRecord(item)) continue;
      const p = productOf({ currency: props.currency, ...item }, event.timestamp);
      if (p && !out.has(p.productId)) out.set(p.productId, p);
    }
    return [...out.values()];
  }
  return [];
}

const fields = ['name', 'url', 'image', 'price', 'currency', 'category', 'available'] as const;

/**
 * What to write for a product learnt from events, given the stored one: undefined when nothing changes.
 * Uploaded products (source `upload`) win: events only fill the fields the upload left empty. Among learnt
 * records the later one wins field by field (a field an event leaves out keeps its stored value).
 */
export function mergeLearnt(stored: Product | undefined, learnt: Product): Product | undefined {
  if (!stored) return { ...learnt, source: 'events' };
  const uploaded = stored.source === 'upload';
  if (!uploaded && learnt.updatedAt < stored.updatedAt) return undefined;
  const next: Product = { ...stored };
  let changed = false;
  for (const f of fields) {
    const v = learnt[f];
    if (v === undefined || next[f] === v) continue;
    if (uploaded && next[f] !== undefined) continue;
    (next as unknown as Record<string, unknown>)[f] = v;
    changed = true;
  }
  if (!uploaded && (changed || learnt.updatedAt > stored.updatedAt)) {
    next.updatedAt = learnt.updatedAt;
    changed = true;
  }
  return changed ? next : undefined;
}

/** Whether a product may be recommended: not marked unavailable. */
export const isAvailable = (p: Pick<Product, 'available'> | undefined): boolean => p?.available !== false;
