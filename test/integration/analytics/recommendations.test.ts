import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow } from '../../../functions/analytics/domain/lake.js';
import { eventRow } from '../../../functions/analytics/domain/lake-rows.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { withRecParams } from '../../../functions/recommendations/mail.js';
import { emailEvent } from '../../../functions/sending/domain/feedback.js';
import { recommendationEvent } from '../../../functions/sending/domain/rec-feedback.js';
import type { LinkClaims } from '../../../functions/sending/domain/tokens.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { tempLake, writeLake } from '../../unit/analytics/fixture-lake.js';

/**
 * The results route as an operator calls it (the analyticsAdmin function through the IAM check) over a lake
 * of rows made the way the stream processor makes them (eventRow) from site events and from the events a
 * mail's open and click feed (sending/domain/rec-feedback.ts).
 */

type HttpHandler = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const lake = tempLake();
let aws: TestAws;
let instance: DuckDBInstance;
let duck: DuckDBConnection;
let handler: HttpHandler;
let n = 0;

/** A site event as the tracker add-on sends it, collected. */
function siteEvent(profileId: string, at: string, event: string, properties: Record<string, unknown>): EventRow {
  const e: CollectedEvent = { type: 'track', event, messageId: `m${++n}`, properties, timestamp: at, receivedAt: at, anonymousId: `a-${profileId}` } as CollectedEvent;
  return eventRow(e, profileId);
}
const seen = (p: string, at: string, variant: string) => siteEvent(p, at, 'Recommendation Viewed', { recId: `r_${variant}`, strategy: 'bought-together', variant, productIds: ['a', 'b'] });
const click = (p: string, at: string, variant: string) => siteEvent(p, at, 'Recommendation Clicked', { recId: `r_${variant}`, strategy: 'bought-together', variant, productId: 'a', position: 1 });
const order = (p: string, at: string, revenue: number) => siteEvent(p, at, 'Order Completed', { order_id: `o${n}`, revenue, products: [{ product_id: 'a' }] });

/** The events a person's open and a click of a mail with for-you products feed. */
function mailEvents(profileId: string, sendId: string, openAt: string, clickAt: string, variant: string): EventRow[] {
  const claims: LinkClaims = { p: profileId, s: sendId, t: 'recommended-for-you', c: 'marketing', k: 'recommendations', r: { i: `r_mail_${variant}`, s: 'for-you', v: variant } };
  const url = withRecParams('https://shop.example/p/tea-1', { recId: `r_mail_${variant}`, strategy: 'for-you', variant });
  const opened = emailEvent('Email Opened', claims, { now: new Date(openAt) });
  const clicked = emailEvent('Email Link Clicked', claims, { now: new Date(clickAt), url });
  // Two opens of the same mail: one impression.
  const again = emailEvent('Email Opened', claims, { now: new Date(Date.parse(openAt) + 3_600_000) });
  return [recommendationEvent(opened, claims)!, recommendationEvent(again, claims)!, recommendationEvent(clicked, claims, url)!].map((e) => eventRow(e, profileId));
}

async function report(query: Record<string, string>) {
  const event = { ...apiEvent({ method: 'GET', path: '/v1/admin/analytics/recommendations', query }), routeKey: 'GET /v1/admin/analytics/recommendations' };
  const res = await asFunction('analyticsAdmin', handler)(event, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as { rows: Record<string, unknown>[]; lift: unknown[]; error?: unknown } };
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await writeLake(duck, lake.dir, {
    events: [
      // Site, model: 3 impressions, 2 clicks; k1 orders 2 days after (attributed), k2 8 days after (not).
      seen('k1', '2026-11-02T09:00:00Z', 'model'),
      click('k1', '2026-11-02T09:01:00Z', 'model'),
      order('k1', '2026-11-04T09:00:00Z', 80),
      seen('k2', '2026-11-03T09:00:00Z', 'model'),
      click('k2', '2026-11-03T09:01:00Z', 'model'),
      order('k2', '2026-11-11T09:02:00Z', 500),
      seen('k3', '2026-11-03T10:00:00Z', 'model'),
      // Site, control: 2 impressions, no click.
      seen('c1', '2026-11-02T09:00:00Z', 'control'),
      seen('c2', '2026-11-02T09:00:00Z', 'control'),
      // Mail: m1 opened and clicked (model), then ordered; m2 (control) opened and clicked, no order.
      ...mailEvents('m1', 's_m1', '2026-11-05T08:00:00Z', '2026-11-05T08:05:00Z', 'model'),
      order('m1', '2026-11-06T08:00:00Z', 42.5),
      ...mailEvents('m2', 's_m2', '2026-11-05T08:00:00Z', '2026-11-05T08:05:00Z', 'control'),
    ],
  });
  aws = await startTestAws({ LAKE_DIR: lake.dir });
  handler = ((await import('../../../functions/analytics/admin.js')) as unknown as { handler: HttpHandler }).handler;
});

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  lake.remove();
  await aws?.stop();
});

describe('GET /v1/admin/analytics/recommendations', () => {
  it('answers impressions, clicks, CTR and orders within 7 days of a click, per strategy and variant, with lift', async () => {
    const { status, body } = await report({ from: '2026-11-01', to: '2026-11-07', days: '7' });

    expect(status).toBe(200);
    expect(body.rows).toEqual([
      { strategy: 'bought-together', variant: 'control', impressions: 2, clicks: 0, ctr: 0, orders: 0, revenue: 0, orders_per_impression: 0 },
      { strategy: 'bought-together', variant: 'model', impressions: 3, clicks: 2, ctr: 0.6667, orders: 1, revenue: 80, orders_per_impression: 0.333333 },
      { strategy: 'for-you', variant: 'control', impressions: 1, clicks: 1, ctr: 1, orders: 0, revenue: 0, orders_per_impression: 0 },
      { strategy: 'for-you', variant: 'model', impressions: 1, clicks: 1, ctr: 1, orders: 1, revenue: 42.5, orders_per_impression: 1 },
    ]);
    // Control CTR 0 for bought-together: no ratio; for-you: equal CTR, and control has no orders.
    expect(body.lift).toEqual([
      { strategy: 'bought-together', ctr: null, orders_per_impression: null },
      { strategy: 'for-you', ctr: 1, orders_per_impression: null },
    ]);
  });

  it('refuses days over 30 with a 400 naming the field', async () => {
    const { status, body } = await report({ days: '31' });

    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('days');
  });
});
