import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { analyticsAdminRoutes, analyticsRoutes } from '../../../functions/analytics/routes.js';
import { reports } from '../../../functions/analytics/reports/index.js';
import { httpFunction } from '../../../functions/shared/http-function.js';
import { apiEvent } from '../../helpers/api-event.js';
import { page } from './fixture-lake.js';
import { analyticsHarness, reportPorts } from './harness.js';

const h = analyticsHarness();
const context = { functionName: 'analyticsAdmin', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
let call: (path: string, query?: Record<string, string>, pathParameters?: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  const lake = await h.lake({ events: [page('p', '2024-03-01 10:00', '/'), page('p', '2024-03-01 10:05', '/pricing')] });
  const handler = httpFunction('analyticsAdmin', analyticsAdminRoutes, { ...reportPorts, engine: lake.engine });
  call = async (path, query, pathParameters) => {
    const event = { ...apiEvent({ method: 'GET', path, ...(query ? { query } : {}) }), ...(pathParameters ? { pathParameters } : {}) };
    const r = (await handler(event, context)) as { statusCode: number; body: string };
    return { status: r.statusCode, body: JSON.parse(r.body) };
  };
});

describe('GET /v1/admin/analytics/{report}', () => {
  it('answers the rows with the parameters used, bytes scanned, time and engine', async () => {
    const { status, body } = await call('/v1/admin/analytics/pages', { from: '2024-03-01', to: '2024-03-01' });

    expect(status).toBe(200);
    expect(body).toMatchObject({ report: 'pages', engine: 'duckdb', parameters: { from: '2024-03-01', to: '2024-03-01', group: null, limit: 100 } });
    expect((body.rows as { page: string }[]).map((r) => r.page)).toEqual(['/', '/pricing']);
    expect(body.bytesScanned).toBeGreaterThan(0);
    expect(typeof body.elapsedMs).toBe('number');
  });

  it('has a route of its own for every report and no catch-all (API Gateway answers 404 for the rest)', () => {
    const paths = analyticsAdminRoutes.map((r) => r.path).sort();

    expect(paths).toEqual(Object.keys(reports).map((name) => `/v1/admin/analytics/${name}`).sort());
    expect(analyticsRoutes.filter((r) => r.method === 'GET' && /^\/v1\/admin\/analytics\/\{[^/]+\}$/.test(r.path))).toEqual([]);
  });

  it.each([
    ['traffic', { from: '2024-13-01' }, 'from'],
    ['traffic', { from: '2024-03-10', to: '2024-03-01' }, 'to'],
    ['traffic', { from: '2023-01-01', to: '2024-03-01' }, 'to'],
    ['traffic', { lookback: '400' }, 'lookback'],
    ['pages', { group: '/ok/**,products' }, 'group'],
    ['pages', { limit: '0' }, 'limit'],
    ['paths', { after: 'pricing' }, 'after'],
    ['paths', { steps: '11' }, 'steps'],
    ['funnel', {}, 'steps'],
    ['funnel', { steps: '/a' }, 'steps'],
    ['funnel', { steps: '/a,/b,/c,/d,/e,/f,/g' }, 'steps'],
    ['funnel', { steps: '/a,/b', within: '91d' }, 'within'],
    ['repeat-visitors', { visits: '1' }, 'visits'],
    ['repeat-visitors', { format: 'csv' }, 'format'],
    ['channels', { model: 'linear' }, 'model'],
  ])('%s with %j answers 400 naming %s', async (report, query, field) => {
    const { status, body } = await call(`/v1/admin/analytics/${report}`, query);

    expect(status).toBe(400);
    expect(body.field).toBe(field);
  });
});
