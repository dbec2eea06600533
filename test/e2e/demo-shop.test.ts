import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForLake } from '../../demo/access-logs.js';
import { buildDemoModels } from '../../demo/recommendations.js';
import { runTraffic } from '../../demo/run-traffic.js';
import { complementOf, shopPairs, shopProducts } from '../../demo/shop.js';
import { DuckDbEngine } from '../../functions/analytics/adapters/duckdb-engine.js';
import { dtOf } from '../../functions/analytics/domain/lake.js';
import { bucketOf, servingLimits } from '../../functions/recommendations/domain/serving.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';
import { readStream } from '../helpers/local-aws.js';

/**
 * Issue 14's demo shop, as `npm run demo` leaves it: the shoppers' views and orders (with planted
 * complements) reach the lake, the model build learns the pairs, and a visitor's browser sees a product's
 * complement under "Customers also bought", items under "Recommended for you", and the impression
 * ("Recommendation Viewed" with the answer's recId) reaches the event stream and the lake.
 * About 40 s on 2 cores, most of it local mode's start and the wait for its own first build.
 */
/** Shoppers: each planted pair (18) ordered four times. */
const shoppers = 72;
/** Longest wait for events to reach the stream or the lake. */
const arrivalTimeoutMs = 20_000;

let local: LocalNurture;
let browser: Browser;
const firstBuild = process.env.NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS;
let startedAt: number;

beforeAll(async () => {
  // This test runs the build itself once the lake holds the run: local mode's own timed builds (the first
  // one is read when the plugin module loads) would race it.
  process.env.NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS = String(3_600_000);
  process.env.NURTURE_RECOMMENDATIONS_BUILD_MS = String(3_600_000);
  startedAt = Date.now();
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await local?.stop();
  if (firstBuild === undefined) delete process.env.NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS;
  else process.env.NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS = firstBuild;
  delete process.env.NURTURE_RECOMMENDATIONS_BUILD_MS;
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + arrivalTimeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** An anonymous id served by the model, not the held-out control (which gets the popularity baseline). */
function modelVisitor(): string {
  const share = Number(local.env.CONTROL_SHARE ?? servingLimits.defaultControlShare);
  for (let i = 0; ; i++) if (bucketOf(`demo-shop-visitor-${i}`) >= share) return `demo-shop-visitor-${i}`;
}

describe('the demo shop after the demo traffic and a model build', () => {
  it('shows the planted complement under "Customers also bought", items for you, records the impression, and checks out an order', async () => {
    // Prepare: the shoppers through the public API, every event in the lake, then the build.
    const traffic = await runTraffic({ apiUrl: local.apiUrl, writeKey: local.secrets.writeKey, visitors: 1, shoppers, rate: 200, seed: 14 });
    expect(traffic.byPersona.shopper).toBe(shoppers);
    const lakeDir = local.env.LAKE_DIR!;
    expect(await waitForLake(lakeDir, traffic, arrivalTimeoutMs)).toMatchObject({ complete: true });
    const report = await buildDemoModels({ lakeDir, dynamodbEndpoint: local.emulators.endpoints.dynamodb, tableName: local.env.TABLE_NAME! });
    expect(report.figures.boughtBaskets).toBeGreaterThanOrEqual(shoppers);
    expect(report.figures.lists['bought-together']).toBeGreaterThanOrEqual(shopPairs.length * 2);

    // Act: a visitor opens a product page, then the shop.
    const [product] = shopPairs[0]!;
    const complement = complementOf(product.id)!;
    const anonymousId = modelVisitor();
    const context = await browser.newContext({ userAgent: browserUserAgent });
    await context.addCookies([{ name: 'nurture_aid', value: anonymousId, url: local.siteUrl }]);
    const page = await context.newPage();
    await page.goto(`${local.siteUrl}/shop/${product.id}.html`);

    // Assess: the complement is among "Customers also bought", with its name and a link to its page.
    const link = page.locator(`#also-bought a[data-nurture-product="${complement.id}"]`);
    await link.waitFor({ timeout: arrivalTimeoutMs });
    expect(await link.textContent()).toBe(complement.name);
    expect(await link.getAttribute('href')).toBe(`/shop/${complement.id}.html`);
    expect(await page.locator('#also-bought li').count()).toBeLessThanOrEqual(4);
    const recId = await page.locator('#also-bought').getAttribute('data-nurture-rec');
    expect(recId).toMatch(/^r_/);

    // The cart: add the product, check out with an email.
    await page.click('#add-to-cart');
    await page.goto(`${local.siteUrl}/shop/cart.html`);
    expect(await page.locator('#cart-lines li').count()).toBe(1);
    await page.fill('#checkout-email', 'shopper@example.com');
    await page.click('#place-order');
    await page.waitForSelector('#ordered', { state: 'visible' });

    await page.goto(`${local.siteUrl}/shop/`);
    expect(await page.locator('section.category li.product').count()).toBe(shopProducts.length);
    await page.locator('#for-you li.product').first().waitFor({ timeout: arrivalTimeoutMs });
    expect(await page.locator('#for-you li.product').count()).toBeGreaterThan(0);

    // The impression reached the event stream under the visitor's id, and the lake.
    const { endpoints, region, credentials } = local.emulators;
    const kinesis = new KinesisClient({ endpoint: endpoints.kinesis, region, credentials, requestHandler: new NodeHttpHandler() });
    try {
      const records = await until(
        'Recommendation Viewed and the order in the stream',
        () => readStream(kinesis, local.env.EVENTS_STREAM_NAME!),
        (rs) =>
          rs.some((r) => r.data.event === 'Recommendation Viewed' && (r.data.properties as { recId?: string }).recId === recId) &&
          rs.some((r) => r.data.event === 'Order Completed' && r.data.anonymousId === anonymousId),
      );
      const viewed = records.find((r) => r.data.event === 'Recommendation Viewed' && (r.data.properties as { recId?: string }).recId === recId)!;
      expect(viewed.data.anonymousId).toBe(anonymousId);
      expect(viewed.data.properties).toMatchObject({ strategy: 'bought-together', variant: 'model', productIds: expect.arrayContaining([complement.id]) });
      // The checkout's order, in the e-commerce spec's shape the catalog and the models read.
      const order = records.find((r) => r.data.event === 'Order Completed' && r.data.anonymousId === anonymousId);
      expect(order?.data.properties).toMatchObject({ currency: 'JPY', total: product.price, products: [{ product_id: product.id, name: product.name, price: product.price, category: product.category, quantity: 1 }] });
    } finally {
      kinesis.destroy();
    }
    const engine = await DuckDbEngine.open(lakeDir);
    try {
      const inLake = await until(
        'Recommendation Viewed in the lake',
        async () => (await engine.query(`SELECT count(*) AS n FROM events WHERE dt >= '${dtOf(startedAt - 86_400_000)}' AND event = 'Recommendation Viewed' AND strpos(properties, '${recId}') > 0`)).rows,
        (rows) => Number(rows[0]?.n ?? 0) > 0,
      );
      expect(Number(inLake[0]!.n)).toBeGreaterThan(0);
    } finally {
      engine.close();
    }
    await context.close();
  }, 90_000);
});
