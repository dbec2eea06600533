import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCostStore } from '../../../functions/channels/adapters/cost-store.js';
import { addDays, decodeCostFile } from '../../../functions/channels/domain/cost-csv.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

type HttpHandler = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let aws: TestAws;
let admin: HttpHandler;
let store: DynamoCostStore;
const ctx = { awsRequestId: 'test' } as Context;

// Days relative to today (imports refuse days more than three years back and in the future): the last two
// days of a month two months ago and the first two of the next month, so a file spans two month items.
const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
const [d1, d2, d3, d4] = [addDays(monthStart, -2), addDays(monthStart, -1), monthStart, addDays(monthStart, 1)];
const month = (d: string) => d.slice(0, 7);

const googleFile = (rows: [string, string, string][]) =>
  ['Campaign report', 'All time', 'Day,Campaign,Currency code,Cost,Impr.,Clicks', ...rows.map(([d, c, cost]) => `${d},${c},JPY,"${cost}","1,000",10`), 'Total: Account,--,JPY,"0",--,--'].join('\n');

async function call(method: 'GET' | 'PUT', query: Record<string, string>, body?: string) {
  const event = apiEvent({ method, path: '/v1/admin/channels/costs', query, headers: { 'content-type': 'text/csv' }, ...(body !== undefined ? { body } : {}) });
  const res = await asFunction('channelsAdmin', admin)(event, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}
const put = (csv: string, query: Record<string, string> = {}) => call('PUT', query, csv);
const versionOf = async (medium: string, m: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `cost#${m}`, sk: medium }, ConsistentRead: true }))).Item?.v;

beforeAll(async () => {
  aws = await startTestAws({ CURRENCY: 'JPY' });
  ({ handler: admin } = (await import('../../../functions/channels/admin.js')) as unknown as { handler: HttpHandler });
  store = new DynamoCostStore(aws.doc, aws.env.TABLE_NAME!);
}, 120_000);
afterAll(async () => aws?.stop());

describe('ad cost import (PUT /v1/admin/channels/costs)', () => {
  const first = googleFile([
    [d1, 'Brand', '¥1,200'],
    [d2, 'Brand', '1,300'],
    [d2, 'Generic', '500'],
    [d3, 'Brand', '1,400'],
    [d4, 'Brand', '1,500'],
  ]);

  it('imports a Google Ads export across two months, summary rows skipped', async () => {
    const res = await put(first);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ imported: 5, days: 4, media: ['google-ads'], currency: 'JPY', layout: 'google-ads', monthsWritten: 2 });
    const rows = await store.costs(d1, d4);
    expect(rows.map((r) => [r.day, r.campaign, r.cost])).toEqual([
      [d1, 'Brand', 1200],
      [d2, 'Brand', 1300],
      [d2, 'Generic', 500],
      [d3, 'Brand', 1400],
      [d4, 'Brand', 1500],
    ]);
    expect(rows[0]).toMatchObject({ medium: 'google-ads', impressions: 1000, clicks: 10 });
  });

  it('replaying the same file changes nothing', async () => {
    const before = [await versionOf('google-ads', month(d1)), await versionOf('google-ads', month(d3))];
    const res = await put(first);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 5, monthsWritten: 0, monthsUnchanged: 2 });
    expect([await versionOf('google-ads', month(d1)), await versionOf('google-ads', month(d3))]).toEqual(before);
    expect(await store.costs(d1, d4)).toHaveLength(5);
  });

  it('re-importing a day replaces that day of that medium and keeps the other days', async () => {
    const res = await put(googleFile([[d2, 'Brand', '2,000']]));
    expect(res.body).toMatchObject({ imported: 1, days: 1, monthsWritten: 1 });
    const rows = await store.costs(d1, d4);
    // Generic had a row on d2 in the first file and none in this one: the day is the file's now.
    expect(rows.filter((r) => r.day === d2).map((r) => [r.campaign, r.cost])).toEqual([['Brand', 2000]]);
    expect(rows.filter((r) => r.day !== d2)).toHaveLength(3);
  });

  it('keeps other media of the same day: a Meta Ads Manager file leaves Google Ads rows alone', async () => {
    const meta = `Reporting starts,Reporting ends,Campaign name,Amount spent (JPY),Impressions,Link clicks\n${d2},${d2},Spring,800,100,3\n`;
    expect((await put(meta)).body).toMatchObject({ media: ['meta-ads'] });
    const rows = await store.costs(d2, d2);
    expect(rows.map((r) => `${r.medium}:${r.campaign}:${r.cost}`).sort()).toEqual(['google-ads:Brand:2000', 'meta-ads:Spring:800']);
  });

  it('writes nothing when any row is bad, and lists every bad row with its line and field', async () => {
    const before = await store.costs(d1, d4);
    const res = await put(googleFile([[d1, 'Brand', '9,999'], ['2024-13-40', 'Brand', '1'], [d3, '', 'abc']]));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { line: 5, field: 'day', message: expect.stringContaining('2024-13-40') },
      { line: 6, field: 'campaign', message: 'empty' },
      { line: 6, field: 'cost', message: '"abc" is not a number' },
    ]);
    expect(await store.costs(d1, d4)).toEqual(before);
  });

  it('refuses a medium that is not in the registry and another currency', async () => {
    const res = await put(`date,medium,campaign,cost,currency\n${d1},tv-spots,Autumn,100,JPY\n${d1},google-ads,Autumn,100,USD\n`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`)).toEqual(['2:medium', '3:currency']);
  });

  it('writes all month items or none: one stale version cancels the whole transaction', async () => {
    const [a, b] = await store.readMonths([
      { medium: 'google-ads', month: month(d1) },
      { medium: 'microsoft-ads', month: month(d1) },
    ]);
    const stale = { ...a!, rows: [{ day: d1, medium: 'google-ads', campaign: 'X', cost: 1 }], version: a!.version - 1 };
    const fresh = { ...b!, rows: [{ day: d1, medium: 'microsoft-ads', campaign: 'X', cost: 1 }] };
    expect(await store.writeMonths([fresh, stale], 'JPY')).toBe(false);
    expect(await versionOf('microsoft-ads', month(d1))).toBeUndefined();
    expect((await store.costs(d1, d1)).map((r) => r.campaign)).toEqual(['Brand']);
  });
});

describe('ad cost reads (GET /v1/admin/channels/costs, CostReader)', () => {
  it('reads a range across months, only its days, with totals per medium and campaign', async () => {
    const res = await call('GET', { from: d2, to: d3 });
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { day: string }) => r.day).sort()).toEqual([d2, d2, d3]);
    expect(res.body.totals).toContainEqual({ medium: 'google-ads', campaign: '*', cost: 3400, impressions: 2000, clicks: 20, days: 2 });
    expect((await call('GET', { from: d1, to: d4, medium: 'meta-ads' })).body.rows).toHaveLength(1);
  });

  it('answers 400 naming the parameter for a bad range', async () => {
    expect((await call('GET', { from: d3, to: d1 })).body).toMatchObject({ field: 'to' });
    expect((await call('GET', { from: 'yesterday', to: d1 })).body).toMatchObject({ field: 'from' });
  });
});

describe('ad cost import of bytes', () => {
  it('reads a Shift_JIS Yahoo! JAPAN Ads file sent as application/octet-stream (base64 from API Gateway)', async () => {
    const sjis = readFileSync(join(import.meta.dirname, '..', '..', 'unit', 'channels', 'fixtures', 'yahoo-ads-sjis.csv'));
    const text = decodeCostFile(sjis).replaceAll('2026/07/01', d1.replaceAll('-', '/')).replaceAll('2026/07/02', d2.replaceAll('-', '/'));
    // Shift_JIS bytes of the same text with the days moved into the allowed window: only ASCII digits changed.
    const bytes = Buffer.from(sjis.toString('latin1').replaceAll('2026/07/01', d1.replaceAll('-', '/')).replaceAll('2026/07/02', d2.replaceAll('-', '/')), 'latin1');
    expect(decodeCostFile(bytes)).toBe(text);
    const event = { ...apiEvent({ method: 'PUT', path: '/v1/admin/channels/costs', headers: { 'content-type': 'application/octet-stream' }, body: bytes.toString('base64') }), isBase64Encoded: true };
    const res = await asFunction('channelsAdmin', admin)(event, ctx);
    expect(res.statusCode, String(res.body)).toBe(200);
    expect(JSON.parse(String(res.body))).toMatchObject({ layout: 'yahoo-ads', imported: 3, media: ['yahoo-ads'] });
    expect((await store.costs(d1, d2)).filter((r) => r.medium === 'yahoo-ads').map((r) => [r.day, r.campaign, r.cost])).toEqual([
      [d1, '春の資料請求', 12345],
      [d2, '指名検索', 0],
      [d2, '春の資料請求', 9870],
    ]);
  });
});
