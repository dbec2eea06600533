import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import type { S3Event } from 'aws-lambda';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow } from '../../../functions/analytics/domain/lake.js';
import type { BuildReport } from '../../../functions/recommendations/domain/run-build.js';
import type { CatalogCheckReport } from '../../../functions/recommendations/domain/catalog-upload.js';
import { popularKey, type Product, productKey, type TopList, topKey } from '../../../functions/recommendations/domain/model.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { tempLake, track, writeRows } from '../../unit/analytics/fixture-lake.js';

/**
 * The model build and the catalog upload check as their roles (IAM check on), over a DuckDB lake with a
 * planted structure: product A is bought with B in most of its orders, and with C now and then; D sells
 * alone, most of all, in the shoes category.
 */

let aws: TestAws;
let s3: S3Client;
let lake: { dir: string; remove(): void };
let build: (e: { days?: number }) => Promise<BuildReport>;
let check: (e: S3Event) => Promise<void>;

const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 16).replace('T', ' ');
const categoryOf = (id: string) => (id === 'D' || id === 'E' ? 'shoes' : 'bags');
const order = (person: string, when: string, orderId: string, ids: string[]): EventRow =>
  track(person, when, 'Order Completed', {
    properties: JSON.stringify({ order_id: orderId, currency: 'eur', products: ids.map((id) => ({ product_id: id, name: `Product ${id}`, price: 10, category: categoryOf(id), url: `https://shop.example/p/${id}` })) }),
  });
const view = (person: string, when: string, id: string): EventRow => track(person, when, 'Product Viewed', { properties: JSON.stringify({ product_id: id, name: `Product ${id}`, category: categoryOf(id) }) });

function plantedOrders(): EventRow[] {
  const rows: EventRow[] = [];
  let n = 0;
  const add = (ids: string[], count: number) => {
    for (let i = 0; i < count; i++, n++) rows.push(order(`p${n}`, day(1 + (n % 20)), `o${n}`, ids));
  };
  add(['A', 'B'], 8);
  add(['A', 'C'], 2);
  add(['B'], 4);
  add(['C'], 2);
  add(['D'], 12);
  add(['E'], 3);
  add(['F', 'G', 'H'], 2);
  // Viewed together on one day by one person.
  for (let i = 0; i < 3; i++) rows.push(view(`v${i}`, day(2), 'A'), view(`v${i}`, day(2), 'C'));
  for (let i = 3; i < 9; i++) rows.push(view(`v${i}`, day(2), 'D'));
  return rows;
}

const s3Event = (key: string): S3Event => ({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: aws.env.CONTENT_BUCKET }, object: { key } } }] }) as unknown as S3Event;
const get = async <T>(key: { pk: string; sk: string }) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: key }))).Item as (T & { pk: string }) | undefined;
const ids = (list: TopList | undefined) => list?.items.map((i) => i.productId);

beforeAll(async () => {
  lake = tempLake();
  aws = await startTestAws({ LAKE_DIR: lake.dir });
  s3 = s3Client();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await writeRows(conn, lake.dir, 'events', plantedOrders());
  conn.closeSync();
  build = asFunction('recommendationsBuild', ((await import('../../../functions/recommendations/build.js')) as unknown as { handler: typeof build }).handler);
  check = asFunction('recommendationsCatalogCheck', ((await import('../../../functions/recommendations/catalog-check.js')) as unknown as { handler: typeof check }).handler);
});
afterAll(async () => {
  await aws?.stop();
  lake?.remove();
});

describe('recommendations model build', () => {
  it('puts B first for A (bought together), learns the catalog, and falls back to the category popular list', async () => {
    const report = await build({});

    expect(report.figures.boughtBaskets).toBe(33);
    expect(ids(await get<TopList>(topKey('bought-together', 'A')))?.[0]).toBe('B');
    expect(ids(await get<TopList>(topKey('viewed-together', 'A')))).toEqual(['C']);
    // A new visitor's fallback: the shoes popular list, D (12 buyers) before E (3).
    expect(ids(await get<TopList>(popularKey('shoes')))).toEqual(['D', 'E']);
    expect(ids(await get<TopList>(popularKey()))?.[0]).toBe('D');
    expect(await get<Product>(productKey('A'))).toMatchObject({ productId: 'A', name: 'Product A', price: 10, currency: 'EUR', category: 'bags', url: 'https://shop.example/p/A', source: 'events' });
  });

  it('writes the same lists again on a rebuild of the same lake', async () => {
    const first = await get<TopList>(topKey('bought-together', 'A'));
    const report = await build({});
    const again = await get<TopList>(topKey('bought-together', 'A'));

    expect(report.productsLearnt).toBe(0);
    expect(again?.items).toEqual(first?.items);
  });

  it('refuses an upload with one bad row whole, naming its line and field, and writes nothing', async () => {
    const csv = 'product_id,name,price,availability\nZ1,Zed one,5,in_stock\nZ2,Zed two,abc,in_stock\n';
    await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'catalog/products.csv', Body: csv }));

    await check(s3Event('catalog/products.csv'));

    const report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'catalog/products.csv.check.json' }))).Body!.transformToString()) as CatalogCheckReport;
    expect(report).toMatchObject({ ok: false, products: 0, problems: [{ line: 3, field: 'price' }] });
    expect(await get(productKey('Z1'))).toBeUndefined();
  });

  it('never recommends a product an upload marks out of stock, and uploaded values win over learnt ones', async () => {
    const csv = 'product_id,name,category,availability\nB,Bag B (new),bags,out_of_stock\n';
    await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'catalog/products.csv', Body: csv }));
    await check(s3Event('catalog/products.csv'));
    const first = await get<Product>(productKey('B'));
    await check(s3Event('catalog/products.csv'));
    // A replayed notification writes the same product.
    expect(await get<Product>(productKey('B'))).toEqual(first);

    await build({});

    expect(ids(await get<TopList>(topKey('bought-together', 'A')))).not.toContain('B');
    expect(ids(await get<TopList>(topKey('bought-together', 'A')))?.[0]).toBe('C');
    expect(await get<Product>(productKey('B'))).toMatchObject({ name: 'Bag B (new)', available: false, source: 'upload', url: 'https://shop.example/p/B' });
  });

  it('deletes the lists of products that no longer have neighbours', async () => {
    // A one-day window holds none of the orders (they are 1 to 20 days old, the views 2 days).
    await build({ days: 1 });

    expect(await get(topKey('bought-together', 'A'))).toBeUndefined();
    expect(await get(popularKey('shoes'))).toBeUndefined();
    const manifest = await aws.doc.send(new QueryCommand({ TableName: aws.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'recbuild#bought-together' } }));
    expect(manifest.Items ?? []).toEqual([]);
  });

  it('builds from the CLI as the function does (npm run nurture -- recommendations build)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'recommendations', 'build', '--json', '--dynamodb-endpoint', aws.emulators.endpoints.dynamodb, '--table', aws.env.TABLE_NAME!, '--lake', lake.dir]);
    const report = JSON.parse(stdout) as BuildReport;

    expect(report.window.days).toBe(90);
    expect(report.figures.boughtBaskets).toBe(33);
    expect(ids(await get<TopList>(topKey('bought-together', 'A')))?.[0]).toBe('C');
  });
});
