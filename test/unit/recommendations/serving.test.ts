import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { popularKey, type Product, type TopList, topKey } from '../../../functions/recommendations/domain/model.js';
import { type PersonView, personalize } from '../../../functions/recommendations/domain/personalize.js';
import {
  activityOf,
  cacheControlOf,
  notModified,
  recommendationQuerySchema,
  servable,
  strategyOf,
  variantOf,
} from '../../../functions/recommendations/domain/serving.js';
import { personalizeVisitor, recommend, type ServingReads } from '../../../functions/recommendations/serving.js';
import type { ActivityEntry } from '../../../functions/profiles/domain/profile.js';
import { segmentSchema } from '../../../functions/segments/domain/schema.js';

const product = (productId: string, extra: Partial<Product> = {}): Product => ({ productId, name: `Product ${productId}`, updatedAt: '2026-12-01T00:00:00Z', ...extra });
const list = (...ids: string[]): TopList => ({
  items: ids.map((productId, i) => ({ productId, score: ids.length - i })),
  builtAt: '2026-12-07T00:00:00Z',
  window: { from: '2026-11-07', to: '2026-12-07' },
});
const entry = (name: string, t: string, data: Record<string, unknown>): ActivityEntry => ({ id: `${name}-${t}`, t, type: 'track', name, data });

/** In-memory reads, counting calls. */
function memoryReads(opts: { lists?: Record<string, TopList>; products?: Product[]; person?: PersonView; publicSegments?: string[] }) {
  const calls = { reads: 0 };
  const reads: ServingReads = {
    async read({ lists = [], products = [] }) {
      calls.reads++;
      return {
        lists: new Map(lists.flatMap((k) => (opts.lists?.[k.pk] ? [[k.pk, opts.lists[k.pk]!] as const] : []))),
        products: new Map((opts.products ?? []).filter((p) => products.includes(p.productId)).map((p) => [p.productId, p])),
      };
    },
    async person() {
      return opts.person;
    },
    async publicSegments() {
      return new Set(opts.publicSegments ?? []);
    },
  };
  return { reads, calls };
}

describe('control variant', () => {
  it('assigns the same visitor to the same side every time', () => {
    for (let i = 0; i < 200; i++) expect(variantOf(`visitor-${i}`, 0.1)).toBe(variantOf(`visitor-${i}`, 0.1));
  });

  it('holds out close to the configured share over 10,000 ids', () => {
    for (const share of [0.1, 0.25]) {
      const control = Array.from({ length: 10_000 }, (_, i) => variantOf(`anon-${i}-${i * 7919}`, share)).filter((v) => v === 'control').length;
      expect(Math.abs(control / 10_000 - share)).toBeLessThan(0.015);
    }
  });

  it('holds out nobody at share 0, everybody at share 1, and serves an unnamed visitor the model', () => {
    expect(variantOf('a', 0)).toBe('model');
    expect(variantOf('a', 1)).toBe('control');
    expect(variantOf(undefined, 1)).toBe('model');
  });
});

describe('strategy defaults', () => {
  it('is bought-together with a product, for-you with a person, popular otherwise', () => {
    expect(strategyOf({ productId: 'p1', anonymousId: 'a' })).toBe('bought-together');
    expect(strategyOf({ anonymousId: 'a' })).toBe('for-you');
    expect(strategyOf({ userId: 'u' })).toBe('for-you');
    expect(strategyOf({})).toBe('popular');
  });

  it('names the missing field when the asked strategy needs one', () => {
    expect(strategyOf({ strategy: 'viewed-together' })).toEqual({ field: 'productId', message: expect.stringContaining('productId') });
    expect(strategyOf({ strategy: 'for-you' })).toMatchObject({ field: 'anonymousId' });
    expect(strategyOf({ strategy: 'popular', productId: 'p' })).toBe('popular');
  });
});

describe('recommendation query', () => {
  const parse = (q: Record<string, string>) => z.safeParse(recommendationQuerySchema, q);
  it('refuses a hostile productId, naming the field', () => {
    for (const productId of ['x'.repeat(129), 'a\u0000b', '']) {
      const r = parse({ productId });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['productId']);
    }
  });
  it('bounds limit and strategy', () => {
    expect(parse({ limit: '21' }).success).toBe(false);
    expect(parse({ limit: '0' }).success).toBe(false);
    expect(parse({ limit: '1e3' }).success).toBe(false);
    expect(parse({ strategy: 'everything' }).success).toBe(false);
    expect(parse({ limit: '5', strategy: 'popular' }).data).toEqual({ limit: 5, strategy: 'popular' });
  });
});

describe('servable', () => {
  it('never answers unavailable, unknown, excluded or repeated products, and stops at the limit', () => {
    const products = new Map([product('a'), product('b', { available: false }), product('c'), product('d'), product('e')].map((p) => [p.productId, p]));
    const items = servable(['a', 'b', 'x', 'c', 'a', 'd', 'e'], products, new Set(['c']), 2);
    expect(items.map((i) => i.productId)).toEqual(['a', 'd']);
  });
  it('answers only the page fields of a product', () => {
    const [item] = servable(['a'], new Map([['a', product('a', { price: 10, currency: 'JPY', category: 'tea', available: true })]]), new Set(), 1);
    expect(Object.keys(item!).sort()).toEqual(['category', 'currency', 'name', 'price', 'productId']);
  });
});

describe('for you', () => {
  it('reads recent products from Product Viewed and Order Completed, once each, newest first, bought over viewed', () => {
    const a = activityOf([
      entry('Product Viewed', '2026-12-01T00:00:00Z', { product_id: 'old' }),
      entry('Product Viewed', '2026-12-02T00:00:00Z', { product_id: 'p3' }),
      entry('Order Completed', '2026-12-03T00:00:00Z', { products: [{ product_id: 'p2' }, { product_id: 'p3' }] }),
      entry('Product Viewed', '2026-12-04T00:00:00Z', { product_id: 'p1' }),
      { id: 'x', t: '2026-12-05T00:00:00Z', type: 'page', data: { product_id: 'ignored' } },
    ]);
    expect(a.recent).toEqual([
      { productId: 'p1', kind: 'viewed', at: '2026-12-04T00:00:00Z' },
      { productId: 'p2', kind: 'bought', at: '2026-12-03T00:00:00Z' },
      { productId: 'p3', kind: 'bought', at: '2026-12-03T00:00:00Z' },
      { productId: 'old', kind: 'viewed', at: '2026-12-01T00:00:00Z' },
    ]);
    expect([...a.bought].sort()).toEqual(['p2', 'p3']);
  });
  // How neighbour lists blend: domain/for-you.ts, tested in for-you.test.ts.
});

describe('recommend', () => {
  const products = [product('p1', { category: 'tea' }), product('p2'), product('p3', { available: false }), product('t1', { category: 'tea' }), product('all1')];

  it('answers a stored list in two reads (list with the product asked about, then its products), filtering unavailable products', async () => {
    const { reads, calls } = memoryReads({ lists: { [topKey('bought-together', 'p1').pk]: list('p3', 'p2') }, products });
    const answer = await recommend({ productId: 'p1', anonymousId: 'model-visitor' }, { reads, controlShare: 0 });
    expect(answer).toMatchObject({ strategy: 'bought-together', variant: 'model', items: [{ productId: 'p2' }] });
    expect(answer).not.toHaveProperty('fallback');
    expect(answer.recId).toMatch(/^r_/);
    expect(calls.reads).toBe(2);
  });

  it("falls back to the product's popular category, then popular overall, when the list is empty", async () => {
    const { reads } = memoryReads({ lists: { [popularKey('tea').pk]: list('t1', 'p1'), [popularKey().pk]: list('all1', 't1') }, products });
    const answer = await recommend({ productId: 'p1' }, { reads, controlShare: 0 });
    expect(answer).toMatchObject({ strategy: 'bought-together', fallback: 'popular' });
    expect(answer.items.map((i) => i.productId)).toEqual(['t1', 'all1']);
  });

  it('gives the control share the popular baseline, saying so', async () => {
    const { reads } = memoryReads({ lists: { [topKey('bought-together', 'p1').pk]: list('p2'), [popularKey().pk]: list('all1') }, products });
    const answer = await recommend({ productId: 'p1', anonymousId: 'anyone' }, { reads, controlShare: 1 });
    expect(answer).toMatchObject({ variant: 'control', strategy: 'bought-together', items: [{ productId: 'all1' }] });
    expect(answer).not.toHaveProperty('fallback');
  });

  it('serves for-you from the neighbours of recent products, never what was bought', async () => {
    const person: PersonView = {
      profileId: 'p',
      known: false,
      stage: 'anonymous',
      categories: {},
      segments: {},
      recent: [entry('Product Viewed', '2026-12-04T00:00:00Z', { product_id: 'p1' }), entry('Order Completed', '2026-12-03T00:00:00Z', { products: [{ product_id: 'p2' }] })],
    };
    const { reads } = memoryReads({ lists: { [topKey('viewed-together', 'p1').pk]: list('p2', 't1'), [topKey('bought-together', 'p2').pk]: list('all1') }, products, person });
    const answer = await recommend({ anonymousId: 'v' }, { reads, controlShare: 0 });
    expect(answer.strategy).toBe('for-you');
    // t1 (viewed p1's neighbour: 0.5 × 1/2) ranks below all1 (bought p2's neighbour: 1/2 × 1); p2 itself was bought.
    expect(answer.items.map((i) => i.productId)).toEqual(['all1', 't1']);
    expect(cacheControlOf(answer.strategy)).toBe('private, max-age=60');
  });

  it('refuses a strategy without what it needs, naming the field', async () => {
    const { reads } = memoryReads({});
    await expect(recommend({ strategy: 'bought-together' }, { reads, controlShare: 0 })).rejects.toMatchObject({ statusCode: 400, details: { field: 'productId' } });
  });
});

describe('personalize', () => {
  const piiProfile = {
    profileId: 'p_x',
    known: true,
    stage: 'mql',
    email: 'hanako@example.com',
    userId: 'u-1',
    traits: { firstName: 'Hanako', lastName: 'Yamada', phone: '090' },
    score: { value: 87, fit: 20 },
    categories: { pricing: 30, docs: 10, blog: 5, careers: 1, none: 0 },
    segments: { 'pricing-readers': '2026-12-01T00:00:00Z', 'high-value': '2026-12-01T00:00:00Z' },
    recent: [],
  } as unknown as PersonView;

  it('answers exactly known, stage, interests and public segments of a profile full of PII', () => {
    const answer = personalize(piiProfile, new Set(['pricing-readers']));
    expect(Object.keys(answer).sort()).toEqual(['interests', 'known', 'segments', 'stage']);
    expect(answer).toEqual({ known: true, stage: 'mql', interests: ['pricing', 'docs', 'blog'], segments: ['pricing-readers'] });
    const text = JSON.stringify(answer);
    for (const secret of ['hanako', 'Hanako', 'Yamada', 'u-1', '87', 'high-value', '090']) expect(text).not.toContain(secret);
  });

  it('answers an unknown visitor as anonymous with nothing', async () => {
    const { reads } = memoryReads({ publicSegments: ['x'] });
    expect(await personalizeVisitor({ anonymousId: 'nobody' }, reads)).toEqual({ known: false, stage: 'anonymous', interests: [], segments: [] });
  });
});

describe('caching', () => {
  it('matches If-None-Match lists and weak tags', () => {
    expect(notModified('"a", W/"b"', '"b"')).toBe(true);
    expect(notModified('*', '"b"')).toBe(true);
    expect(notModified('"a"', '"b"')).toBe(false);
    expect(notModified(undefined, '"b"')).toBe(false);
    expect(cacheControlOf('bought-together')).toBe('public, max-age=300');
  });
});

describe('public segments', () => {
  const doc = { id: 'pricing-readers', name: 'Pricing readers', conditions: [{ field: 'score', gte: 10 }] };
  it('are flagged by an optional boolean, absent (private) by default', () => {
    expect(segmentSchema.parse(doc)).not.toHaveProperty('public');
    expect(segmentSchema.parse({ ...doc, public: true }).public).toBe(true);
    expect(segmentSchema.safeParse({ ...doc, public: 'yes' }).error?.issues[0]?.path).toEqual(['public']);
  });
});
