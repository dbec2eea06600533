import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CostReader, CostRow } from '../../../functions/channels/domain/ports.js';
import { analyticsAdminRoutes } from '../../../functions/analytics/routes.js';
import { httpFunction } from '../../../functions/shared/http-function.js';
import { apiEvent } from '../../helpers/api-event.js';
import { page, track } from './fixture-lake.js';
import { analyticsHarness, reportPorts } from './harness.js';

const h = analyticsHarness();
const context = { functionName: 'analyticsAdmin', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const google = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'Spring' };

const costRows: CostRow[] = [
  // Matched to utm_campaign `Spring` case-insensitively, one in each period.
  { day: '2024-03-02', medium: 'google-ads', campaign: 'SPRING', cost: 50 },
  { day: '2024-02-25', medium: 'google-ads', campaign: 'spring', cost: 20 },
  // Spend nobody came from: in the totals only.
  { day: '2024-03-04', medium: 'meta-ads', campaign: 'retarget', cost: 30 },
  // Outside both periods.
  { day: '2024-01-05', medium: 'google-ads', campaign: 'spring', cost: 1000 },
];

let call: (query: Record<string, string>, costs?: CostReader) => Promise<{ status: number; body: Record<string, any> }>;
const asked: [string, string][] = [];

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  const lake = await h.lake({
    events: [
      page('p1', '2024-03-01 10:00', '/', google),
      page('p1', '2024-03-05 10:00', '/news', { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'march' }),
      track('p1', '2024-03-05 10:10', 'Order Completed', { revenue: 100 }),
      page('p7', '2024-02-25 10:00', '/', google),
      track('p7', '2024-02-25 10:05', 'Order Completed', { revenue: 100 }),
    ],
  });
  call = async (query, costs) => {
    const handler = httpFunction('analyticsAdmin', analyticsAdminRoutes, { ...reportPorts, engine: lake.engine, ...(costs ? { costs } : {}) });
    const r = (await handler(apiEvent({ method: 'GET', path: '/v1/admin/analytics/attribution', query }), context)) as { statusCode: number; body: string };
    return { status: r.statusCode, body: JSON.parse(r.body) };
  };
});

const costs: CostReader = {
  async costs(from, to) {
    asked.push([from, to]);
    return costRows;
  },
};

describe('GET /v1/admin/analytics/attribution: costs', () => {
  it('joins the costs of each period by medium and campaign, with CPA, ROAS and their change', async () => {
    const { status, body } = await call({ from: '2024-03-01', to: '2024-03-10', model: 'first' }, costs);

    expect(status).toBe(200);
    expect(asked).toEqual([['2024-02-20', '2024-03-10']]);
    const row = body.rows.find((r: { medium: string }) => r.medium === 'google-ads');
    expect(row).toMatchObject({
      campaign: 'spring',
      conversions: 1,
      revenue: 100,
      cost: 50,
      cpa: 50,
      roas: 2,
      prev_conversions: 1,
      prev_cost: 20,
      prev_cpa: 20,
      prev_roas: 5,
      cost_change: 1.5,
      cpa_change: 1.5,
      roas_change: -0.6,
    });
    // An unpaid medium costs nothing: CPA 0, no ROAS.
    expect(body.rows.find((r: { medium: string }) => r.medium === 'newsletter')).toMatchObject({ conversions: 0, cost: 0, cpa: null, roas: null });
    expect(body.totals.first).toMatchObject({ touches: 2, conversions: 1, revenue: 100, cost: 80, cpa: 80, roas: 1.25, prev_cost: 20, prev_conversions: 1 });
  });

  it('answers null costs when no cost source is wired', async () => {
    const { body } = await call({ from: '2024-03-01', to: '2024-03-10', model: 'last' });

    expect(body.rows.map((r: { cost: unknown; cpa: unknown; roas: unknown }) => [r.cost, r.cpa, r.roas])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    expect(body.totals.last).toMatchObject({ conversions: 1, cost: null });
  });

  it('answers 400 naming a bad parameter', async () => {
    const { status, body } = await call({ conversion: 'signup' }, costs);

    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'conversion' });
  });
});
