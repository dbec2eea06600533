import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { popularKey, type Product, productKey, type TopList, topKey } from '../../../functions/recommendations/domain/model.js';
import { variantOf } from '../../../functions/recommendations/domain/serving.js';
import { DynamoSegmentStore } from '../../../functions/segments/adapters/definition-store.js';
import { apiEvent, basicAuth } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const writeKey = 'test_write_key_1';
const origin = 'https://shop.example.com';
let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** A visitor id on the given side of a 0.1 control share (the default). */
const visitorIn = (variant: 'model' | 'control', seed: string) => {
  for (let i = 0; ; i++) if (variantOf(`${seed}-${i}`, 0.1) === variant) return `${seed}-${i}`;
};
const modelVisitor = (seed: string) => visitorIn('model', seed);

async function get(path: string, query: Record<string, string>, headers: Record<string, string> = basicAuth(writeKey)) {
  const res = await handler(apiEvent({ method: 'GET', path, query, headers }), context);
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {}, headers: (res.headers ?? {}) as Record<string, string> };
}

const put = (item: Record<string, unknown>) => aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: item }));
const putProduct = (p: Omit<Product, 'updatedAt'>) => put({ ...productKey(p.productId), ...p, updatedAt: '2026-12-01T00:00:00Z' });
const putList = (key: { pk: string; sk: string }, ids: string[]) =>
  put({ ...key, items: ids.map((productId, i) => ({ productId, score: 1 / (i + 1) })), builtAt: '2026-12-07T00:00:00Z', window: { from: '2026-11-07', to: '2026-12-07' } } satisfies TopList & object);

const profileItem = (profileId: string, extra: Record<string, unknown>) => ({
  pk: `p#${profileId}`,
  sk: 'profile',
  profileId,
  known: false,
  stage: 'anonymous',
  traits: {},
  score: { value: 0, asOf: '2026-12-07T00:00:00Z', fit: 0, categories: {}, rules: {}, fitRules: {} },
  recent: [],
  ...extra,
});

beforeAll(async () => {
  aws = await startTestAws({ WRITE_KEYS: writeKey, ALLOWED_ORIGINS: origin });
  handler = asFunction('recommend', ((await import('../../../functions/recommendations/recommend.js')) as unknown as { handler: typeof handler }).handler);
  for (const [id, category, available] of [
    ['tea-1', 'tea', true],
    ['tea-2', 'tea', true],
    ['tea-3', 'tea', false],
    ['cup-1', 'cups', true],
    ['cup-2', 'cups', true],
    ['pot-1', 'pots', true],
  ] as const) {
    await putProduct({ productId: id, name: `Product ${id}`, url: `https://shop.example.com/p/${id}`, price: 1200, currency: 'JPY', category, available });
  }
  await putList(topKey('bought-together', 'tea-1'), ['tea-3', 'cup-1', 'tea-2']);
  await putList(topKey('viewed-together', 'tea-2'), ['cup-2', 'tea-1', 'pot-1']);
  await putList(popularKey('cups'), ['cup-2', 'cup-1']);
  await putList(popularKey(), ['pot-1', 'tea-1']);
});
afterAll(async () => aws?.stop());

describe('GET /v1/recommendations', () => {
  it('answers the stored list of a product, without unavailable products, cacheable with an ETag', async () => {
    const res = await get('/v1/recommendations', { productId: 'tea-1', anonymousId: modelVisitor('shopper') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ strategy: 'bought-together', variant: 'model' });
    expect((res.body.items as { productId: string }[]).map((i) => i.productId)).toEqual(['cup-1', 'tea-2']);
    expect((res.body.items as object[])[0]).toEqual({ productId: 'cup-1', name: 'Product cup-1', url: 'https://shop.example.com/p/cup-1', price: 1200, currency: 'JPY', category: 'cups' });
    expect(res.body.fallback).toBeUndefined();
    expect(res.body.recId).toMatch(/^r_/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');

    const again = await get('/v1/recommendations', { productId: 'tea-1', anonymousId: modelVisitor('shopper') }, { ...basicAuth(writeKey), 'if-none-match': res.headers.etag! });
    expect(again.status).toBe(304);
  });

  it("falls back to popular in the product's category, then overall, for a product without a list", async () => {
    const res = await get('/v1/recommendations', { productId: 'cup-1', writeKey, anonymousId: modelVisitor('new') }, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ strategy: 'bought-together', fallback: 'popular' });
    expect((res.body.items as { productId: string }[]).map((i) => i.productId)).toEqual(['cup-2', 'pot-1', 'tea-1']);
  });

  it('serves for-you from a visitor’s recent views and never what they bought', async () => {
    const anonymousId = modelVisitor('reader');
    await put(
      profileItem(anonymousProfileId(anonymousId), {
        recent: [
          { id: 'm1', t: '2026-12-06T10:00:00Z', type: 'track', name: 'Product Viewed', data: { product_id: 'tea-2' } },
          { id: 'm2', t: '2026-12-05T10:00:00Z', type: 'track', name: 'Order Completed', data: { order_id: 'o1', products: [{ product_id: 'cup-2' }] } },
        ],
      }),
    );
    const res = await get('/v1/recommendations', { anonymousId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ strategy: 'for-you', variant: 'model' });
    const ids = (res.body.items as { productId: string }[]).map((i) => i.productId);
    expect(ids).toEqual(['tea-1', 'pot-1']);
    expect(ids).not.toContain('cup-2');
    expect(res.headers['cache-control']).toBe('private, max-age=60');
  });

  it('answers viewed-together and popular in a category when asked', async () => {
    const viewed = await get('/v1/recommendations', { productId: 'tea-2', strategy: 'viewed-together', anonymousId: modelVisitor('browser') });
    expect(viewed.body).toMatchObject({ strategy: 'viewed-together', variant: 'model' });
    expect((viewed.body.items as { productId: string }[]).map((i) => i.productId)).toEqual(['cup-2', 'tea-1', 'pot-1']);
    const popular = await get('/v1/recommendations', { strategy: 'popular', category: 'cups', limit: '3' });
    expect(popular.body).toMatchObject({ strategy: 'popular', variant: 'model' });
    expect(popular.body.fallback).toBeUndefined();
    // The category's list first, then popular overall fills the rest.
    expect((popular.body.items as { productId: string }[]).map((i) => i.productId)).toEqual(['cup-2', 'cup-1', 'pot-1']);
  });

  it('gives a held-out control visitor the popular baseline for the same product, saying so', async () => {
    const res = await get('/v1/recommendations', { productId: 'tea-1', anonymousId: visitorIn('control', 'held-out') });
    expect(res.body).toMatchObject({ strategy: 'bought-together', variant: 'control' });
    expect((res.body.items as { productId: string }[]).map((i) => i.productId)).toEqual(['pot-1']);
    expect(res.body.fallback).toBeUndefined();
  });

  it('answers CORS preflight for the site and refuses other origins', async () => {
    const pre = await handler(apiEvent({ method: 'OPTIONS', path: '/v1/recommendations', headers: { origin } }), context);
    expect(pre.statusCode).toBe(204);
    expect(pre.headers?.['access-control-allow-origin']).toBe(origin);
    const ok = await get('/v1/recommendations', { productId: 'tea-1', writeKey }, { origin });
    expect(ok.headers['access-control-allow-origin']).toBe(origin);
    const foreign = await get('/v1/recommendations', { productId: 'tea-1', writeKey }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it('refuses a missing or unknown write key (401)', async () => {
    expect((await get('/v1/recommendations', { productId: 'tea-1' }, {})).status).toBe(401);
    const bad = await get('/v1/recommendations', { productId: 'tea-1' }, basicAuth('wrong_key_000'));
    expect(bad).toMatchObject({ status: 401, body: { field: 'writeKey' } });
  });

  it('refuses a hostile productId with a 400 naming the field', async () => {
    for (const productId of ['x'.repeat(5000), 'tea\u0000-1']) {
      const res = await get('/v1/recommendations', { productId });
      expect(res).toMatchObject({ status: 400, body: { success: false, field: 'productId' } });
    }
    expect(await get('/v1/recommendations', { limit: '9999' })).toMatchObject({ status: 400, body: { field: 'limit' } });
  });
});

describe('GET /v1/personalize', () => {
  it('answers a known member only their public segments and interests, never PII', async () => {
    const segments = new DynamoSegmentStore(aws.doc, aws.env.TABLE_NAME!);
    expect(await segments.create({ id: 'pricing-readers', name: 'Pricing readers', public: true, conditions: [{ field: 'score', gte: 10 }] })).toBe(true);
    expect(await segments.create({ id: 'big-spenders', name: 'Big spenders', conditions: [{ field: 'score', gte: 50 }] })).toBe(true);
    const profileId = 'p_known_member';
    await put({ pk: 'id#anon#member-browser', sk: 'link', profileId });
    await put(
      profileItem(profileId, {
        known: true,
        stage: 'mql',
        userId: 'user-77',
        email: 'hanako@example.com',
        traits: { firstName: 'Hanako', lastName: 'Yamada', company: 'Example KK' },
        score: { value: 87, asOf: '2026-12-07T00:00:00Z', fit: 20, categories: { pricing: 40, docs: 12, blog: 3, careers: 1 }, rules: { r: 87 }, fitRules: {} },
        segments: { 'pricing-readers': '2026-12-01T00:00:00Z', 'big-spenders': '2026-12-02T00:00:00Z' },
        consent: { status: 'granted', source: 'form', at: '2026-12-01T00:00:00Z' },
      }),
    );
    const res = await get('/v1/personalize', { anonymousId: 'member-browser' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['interests', 'known', 'segments', 'stage']);
    expect(res.body).toEqual({ known: true, stage: 'mql', interests: ['pricing', 'docs', 'blog'], segments: ['pricing-readers'] });
    const text = JSON.stringify(res.body);
    for (const secret of ['hanako', 'Hanako', 'Yamada', 'Example KK', 'user-77', '87', 'big-spenders', 'granted']) expect(text).not.toContain(secret);
    expect(res.headers['cache-control']).toBe('private, max-age=60');
  });

  it('answers an unknown visitor 200 as anonymous, and needs a visitor id', async () => {
    expect(await get('/v1/personalize', { anonymousId: 'never-seen' })).toMatchObject({ status: 200, body: { known: false, stage: 'anonymous', interests: [], segments: [] } });
    expect(await get('/v1/personalize', {})).toMatchObject({ status: 400, body: { field: 'anonymousId' } });
    expect(await get('/v1/personalize', { anonymousId: 'a\u0001b' })).toMatchObject({ status: 400, body: { field: 'anonymousId' } });
    expect(await get('/v1/personalize', { anonymousId: 'never-seen' }, basicAuth('wrong_key_000'))).toMatchObject({ status: 401, body: { field: 'writeKey' } });
  });
});
