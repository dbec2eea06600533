import { describe, expect, it } from 'vitest';
import { mergeLearnt, productsOfEvent } from '../../../functions/recommendations/domain/catalog.js';
import { parseCatalogUpload } from '../../../functions/recommendations/domain/catalog-upload.js';

const at = '2026-03-01T10:00:00.000Z';

describe('catalog from events', () => {
  it('reads a Product Viewed by the e-commerce spec names, sku when product_id is absent', () => {
    const props = { sku: 'SKU-1', name: 'Tote', price: '19.5', currency: 'jpy', category: 'bags', url: 'https://shop.example/tote', image_url: 'javascript:alert(1)' };

    expect(productsOfEvent({ event: 'Product Viewed', properties: props, timestamp: at })).toEqual([
      { productId: 'SKU-1', name: 'Tote', price: 19.5, currency: 'JPY', category: 'bags', url: 'https://shop.example/tote', updatedAt: at },
    ]);
  });

  it('reads at most 50 products of an order, skipping ids over 128 characters and cutting names at 200', () => {
    const products = [{ product_id: 'x'.repeat(129), name: 'too long' }, { product_id: 'ok', name: 'n'.repeat(300) }, ...Array.from({ length: 60 }, (_, i) => ({ product_id: `p${i}` }))];

    const result = productsOfEvent({ event: 'Order Completed', properties: { order_id: 'o1', currency: 'EUR', products }, timestamp: at });

    expect(result).toHaveLength(49);
    expect(result[0]).toMatchObject({ productId: 'ok', currency: 'EUR' });
    expect(result[0]!.name).toHaveLength(200);
    expect(result.some((p) => p.productId.length > 128)).toBe(false);
    expect(productsOfEvent({ event: 'Page Viewed', properties: { product_id: 'a' }, timestamp: at })).toEqual([]);
  });

  it('lets uploaded values win: events only fill what the upload left empty', () => {
    const uploaded = { productId: 'a', name: 'Uploaded', available: false, updatedAt: '2026-01-01T00:00:00Z', source: 'upload' as const };
    const learnt = { productId: 'a', name: 'From events', image: 'https://cdn.example/a.png', updatedAt: at };

    expect(mergeLearnt(uploaded, learnt)).toEqual({ ...uploaded, image: 'https://cdn.example/a.png' });
    expect(mergeLearnt({ ...uploaded, image: 'https://cdn.example/a.png' }, learnt)).toBeUndefined();
    expect(mergeLearnt({ productId: 'a', name: 'Old', updatedAt: '2026-01-01T00:00:00Z', source: 'events' }, learnt)).toMatchObject({ name: 'From events', updatedAt: at });
  });
});

describe('catalog upload', () => {
  it('names every bad row of a CSV by line and field, and keeps nothing', () => {
    const csv = [
      'product_id,name,price,url,availability,colour',
      'a,Alpha,10,https://shop.example/a,in_stock,',
      ',Nameless,1,,,',
      'c,Gamma,-2,ftp://x,gone,red',
      'a,Alpha again,1,,,',
    ].join('\n');

    const { products, problems } = parseCatalogUpload(csv, 'csv', at);

    expect(products).toEqual([]);
    expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual(['3 product_id', '4 colour', '4 price', '4 url', '4 availability', '5 product_id']);
    expect(problems.find((p) => p.field === 'availability')?.message).toContain('out_of_stock');
  });

  it('reads a good JSON upload, with out_of_stock and available: false never recommended', () => {
    const json = JSON.stringify({ products: [{ product_id: 'a', name: 'A', price: 3, availability: 'out_of_stock' }, { sku: 'b', name: 'B', available: false }, { product_id: 'c', name: 'C', category: 'hats' }] });

    const { products, problems } = parseCatalogUpload(json, 'json', at);

    expect(problems).toEqual([]);
    expect(products.map((p) => [p.productId, p.available, p.source])).toEqual([['a', false, 'upload'], ['b', false, 'upload'], ['c', undefined, 'upload']]);
  });

  it('names a bad JSON element by its index and field', () => {
    const { problems } = parseCatalogUpload(JSON.stringify([{ product_id: 'a', name: 'A' }, { product_id: 'b', name: 'B', prise: 3 }]), 'json', at);

    expect(problems).toEqual([{ field: '[1].prise', message: 'is not a catalog field', suggestion: 'price' }]);
  });
});
