import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../../functions/profiles/domain/profile.js';
import { type Product, type TopList } from '../../../functions/recommendations/domain/model.js';
import { bucketOf } from '../../../functions/recommendations/domain/serving.js';
import { recommendForRecipient, withRecParams } from '../../../functions/recommendations/mail.js';
import type { ServingReads } from '../../../functions/recommendations/serving.js';
import { compileMjml } from '../../../functions/sending/adapters/mjml.js';
import { mailRecommendationsFromEnv } from '../../../functions/sending/adapters/recommendations.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkTemplate } from '../../../functions/sending/domain/check.js';
import { composeEmail, type TemplateVars } from '../../../functions/sending/domain/template.js';

const check = (source: string) => checkTemplate('recs.liquid', source, { compileMjml });

const withFrontMatter = (recs: string) => `---
subject: Picked for you
category: marketing
${recs}
---
{% if recommendations.size > 0 %}<ul>{% for item in recommendations %}<li><a href="{{ item.url }}">{{ item.name }}</a> {{ item.price }} {{ item.currency }}</li>{% endfor %}</ul>{% else %}<p>Nothing picked yet: see what is new.</p>{% endif %}
<p>{{ sender.name }} {{ sender.address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
`;

const list = (ids: string[]): TopList => ({ items: ids.map((productId, i) => ({ productId, score: 10 - i })), builtAt: '2026-12-01T00:00:00Z', window: { from: '2026-11-01', to: '2026-12-01' } });
const product = (productId: string, extra: Partial<Product> = {}): Product => ({ productId, name: `Product ${productId}`, url: `https://shop.example/p/${productId}`, price: 10, currency: 'EUR', updatedAt: '2026-12-01T00:00:00Z', ...extra });

/** Serving reads over in-memory lists and products, counting the reads made. */
function fakeReads(lists: Record<string, TopList>, products: Product[]) {
  const calls: { lists: string[]; products: string[] }[] = [];
  const reads: ServingReads = {
    async read(ask) {
      calls.push({ lists: (ask.lists ?? []).map((k) => k.pk), products: [...(ask.products ?? [])] });
      return {
        lists: new Map((ask.lists ?? []).filter((k) => lists[k.pk]).map((k) => [k.pk, lists[k.pk]!])),
        products: new Map(products.filter((p) => ask.products?.includes(p.productId)).map((p) => [p.productId, p])),
      };
    },
    person: async () => undefined,
    publicSegments: async () => new Set(),
  };
  return { reads, calls };
}

const viewed = (productId: string, t: string): ActivityEntry => ({ id: `m-${productId}-${t}`, t, type: 'track', name: 'Product Viewed', data: { product_id: productId } }) as ActivityEntry;
const bought = (productId: string, t: string): ActivityEntry => ({ id: `o-${productId}-${t}`, t, type: 'track', name: 'Order Completed', data: { products: [{ product_id: productId }] } }) as ActivityEntry;

/** A profile id on the model side (or the control side) of a 50% share. */
const idOn = (side: 'model' | 'control') => {
  for (let i = 0; ; i++) if ((bucketOf(`p_${i}`) < 0.5) === (side === 'control')) return `p_${i}`;
};

describe('template check: recommendations front matter', () => {
  it('keeps a valid spec on the compiled template and previews sample products', async () => {
    const report = await check(withFrontMatter('recommendations:\n  strategy: for-you\n  limit: 2\n  category: shoes'));
    expect(report.errors).toEqual([]);
    expect(report.template?.recommendations).toEqual({ strategy: 'for-you', limit: 2, category: 'shoes' });
    expect(report.preview?.html).toContain('Trail running shoes');
  });

  it('names the field of a bad strategy and of a limit over 10', async () => {
    const strategy = await check(withFrontMatter('recommendations:\n  strategy: cheapest'));
    expect(strategy.ok).toBe(false);
    expect(strategy.errors[0]).toMatchObject({ field: 'recommendations.strategy', line: 5 });
    expect(strategy.errors[0]!.message).toMatch(/for-you, popular, bought-together/);

    const limit = await check(withFrontMatter('recommendations:\n  strategy: popular\n  limit: 11'));
    expect(limit.errors[0]).toMatchObject({ field: 'recommendations.limit', message: expect.stringMatching(/at most 10/) });
  });

  it('finds an unknown variable used only inside the product loop', async () => {
    const report = await check(withFrontMatter('recommendations:\n  strategy: popular').replace('{{ item.price }}', '{{ item.cost }}'));
    expect(report.ok).toBe(false);
    expect(report.errors[0]!.message).toMatch(/item\.cost/);
  });

  it('passes the shipped example template', async () => {
    const report = await checkTemplate('recommended-for-you.liquid', readFileSync('templates/recommended-for-you.liquid', 'utf8'), { compileMjml });
    expect(report.errors).toEqual([]);
    expect(report.template?.recommendations).toEqual({ strategy: 'for-you', limit: 4 });
    expect(report.preview?.text).toContain('Trail running shoes');
  });
});

describe('rendering recommendations', () => {
  const vars = (recommendations: unknown[]): TemplateVars => ({
    profile: { id: 'p1', traits: {}, score: 0, stage: 'known', known: true },
    context: {},
    unsubscribe_url: 'https://api.test/v1/u/x',
    view_url: 'https://api.test/v1/v/x',
    recommendations,
    send: { id: 's1', template: 'recs' },
  });

  it('renders product cards with tracked links, and the fallback for an empty list', async () => {
    const template = (await check(withFrontMatter('recommendations:\n  strategy: popular'))).template!;
    const tracking = { base: 'https://api.test', click: (u: string) => `https://api.test/v1/t/c/${encodeURIComponent(u)}` };
    const item = { productId: 'a', name: 'Blue <Mug>', url: 'https://shop.example/p/a?recId=r_1', image: null, price: 12, currency: 'EUR', category: null };

    const full = await composeEmail(template, vars([item]), tracking);
    const empty = await composeEmail(template, vars([]), tracking);

    expect(full.html).toContain('Blue &lt;Mug&gt;</a> 12 EUR');
    expect(full.html).toContain(`href="https://api.test/v1/t/c/${encodeURIComponent('https://shop.example/p/a?recId=r_1')}"`);
    expect(full.html).not.toContain('Nothing picked yet');
    expect(empty.html).toContain('Nothing picked yet');
  });
});

describe('recommendForRecipient', () => {
  const catalog = ['a', 'b', 'c', 'd', 'x', 'y'].map((id) => product(id)).concat(product('gone', { available: false }));
  const lists = {
    'rec#viewed-together#a': list(['b', 'gone', 'c']),
    'rec#bought-together#d': list(['x', 'b']),
    'rec#popular#*': list(['y', 'x']),
  };

  it('blends the recipient’s recent products into for-you, tagging urls with recId, strategy and variant, in two reads', async () => {
    const { reads, calls } = fakeReads(lists, catalog);
    const recipient = { profileId: idOn('model'), recent: [viewed('a', '2026-12-01T10:00:00Z')] };

    const answer = await recommendForRecipient(recipient, { strategy: 'for-you', limit: 3 }, { reads, controlShare: 0.5 });

    expect(answer).toMatchObject({ strategy: 'for-you', variant: 'model' });
    expect(answer.fallback).toBeUndefined();
    expect(answer.items.map((i) => i.productId)).toEqual(['b', 'c']);
    const url = new URL(answer.items[0]!.url!);
    expect([url.searchParams.get('recId'), url.searchParams.get('recStrategy'), url.searchParams.get('recVariant')]).toEqual([answer.recId, 'for-you', 'model']);
    expect(answer.items[0]).toMatchObject({ image: null, category: null, price: 10 });
    expect(calls).toHaveLength(2);
  });

  it('serves bought-together from the latest purchase, never what was bought', async () => {
    const { reads } = fakeReads(lists, catalog);
    const recipient = { profileId: idOn('model'), recent: [bought('d', '2026-12-01T10:00:00Z'), bought('x', '2026-11-01T10:00:00Z')] };

    const answer = await recommendForRecipient(recipient, { strategy: 'bought-together' }, { reads, controlShare: 0.5 });

    expect(answer.items.map((i) => i.productId)).toEqual(['b']);
  });

  it('gives a control recipient the popular list', async () => {
    const { reads } = fakeReads(lists, catalog);
    const recipient = { profileId: idOn('control'), recent: [viewed('a', '2026-12-01T10:00:00Z')] };

    const answer = await recommendForRecipient(recipient, { strategy: 'for-you' }, { reads, controlShare: 0.5 });

    expect(answer).toMatchObject({ variant: 'control', strategy: 'for-you' });
    expect(answer.items.map((i) => i.productId)).toEqual(['y', 'x']);
  });

  it('falls back to popular for a recipient with no history, and answers empty when nothing is stored', async () => {
    const fresh = { profileId: idOn('model'), recent: [] };
    const some = await recommendForRecipient(fresh, { strategy: 'for-you' }, { reads: fakeReads(lists, catalog).reads, controlShare: 0.5 });
    const none = await recommendForRecipient(fresh, { strategy: 'for-you' }, { reads: fakeReads({}, catalog).reads, controlShare: 0.5 });

    expect(some).toMatchObject({ fallback: 'popular' });
    expect(some.items.map((i) => i.productId)).toEqual(['y', 'x']);
    expect(none.items).toEqual([]);
  });

  it('leaves relative or non-http urls alone', () => {
    const tag = { recId: 'r_1', strategy: 'popular', variant: 'model' };
    expect(withRecParams('/p/a', tag)).toBe('/p/a');
    expect(withRecParams('https://s.example/p?a=1#top', tag)).toBe('https://s.example/p?a=1&recId=r_1&recStrategy=popular&recVariant=model#top');
  });
});

describe('mail recommendations wiring', () => {
  it('fails at cold start naming CONTROL_SHARE when it is not a share', () => {
    const doc = {} as DynamoDBDocumentClient;
    expect(() => mailRecommendationsFromEnv(doc, 't', { CONTROL_SHARE: '1.5' })).toThrow(/CONTROL_SHARE/);
    expect(typeof mailRecommendationsFromEnv(doc, 't', {})).toBe('function');
  });
});
