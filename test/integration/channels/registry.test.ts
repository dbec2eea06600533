import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

async function call(method: 'GET' | 'PUT', path: string, opts: { body?: unknown; query?: Record<string, string> } = {}) {
  const res = await handler(apiEvent({ method, path, ...opts }), ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

beforeAll(async () => {
  aws = await startTestAws();
  handler = asFunction('channelsAdmin', ((await import('../../../functions/channels/admin.js')) as unknown as { handler: typeof handler }).handler);
}, 120_000);
afterAll(async () => {
  await aws?.stop();
});

const yahooBrand = { id: 'yahoo-brand', name: 'Yahoo! brand search', group: 'paid_search', match: [{ source: ['yahoo'], campaign: ['brand-*'] }] };

describe('the media registry on DynamoDB (channelsAdmin role)', () => {
  it('answers the defaults at version 0, stores own media with PUT and answers them with GET', async () => {
    expect((await call('GET', '/v1/admin/channels')).body).toMatchObject({ version: 0, media: [] });
    const put = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [yahooBrand] } });
    expect(put).toMatchObject({ status: 200, body: { version: 1, media: [yahooBrand] } });
    const got = await call('GET', '/v1/admin/channels');
    expect(got.body).toMatchObject({ version: 1, media: [yahooBrand] });
    expect(typeof got.body.updatedAt).toBe('string');
    expect((await call('GET', '/v1/admin/channels/classify', { query: { source: 'Yahoo', medium: 'cpc', campaign: 'brand-2026' } })).body).toMatchObject({ medium: 'yahoo-brand', group: 'paid_search' });
    expect((await call('GET', '/v1/admin/channels/classify', { query: { source: 'yahoo', medium: 'cpc', campaign: 'generic' } })).body).toMatchObject({ medium: 'yahoo-ads' });
  });

  it('refuses a stale version with 409 and keeps the stored document; the next version goes through', async () => {
    const stale = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [] } });
    expect(stale).toMatchObject({ status: 409, body: { field: 'version', version: 1 } });
    expect((await call('GET', '/v1/admin/channels')).body).toMatchObject({ version: 1, media: [yahooBrand] });
    expect(await call('PUT', '/v1/admin/channels', { body: { version: 1, media: [] } })).toMatchObject({ status: 200, body: { version: 2, media: [] } });
    expect(await call('PUT', '/v1/admin/channels', { body: { version: 1, media: [] } })).toMatchObject({ status: 200, body: { version: 2 } });
  });

  it('answers 400 naming the field and stores nothing', async () => {
    const res = await call('PUT', '/v1/admin/channels', { body: { version: 2, media: [{ ...yahooBrand, match: [{ referrer: ['ok.example', ''] }] }] } });
    expect(res).toMatchObject({ status: 400, body: { field: 'media[0].match[0].referrer[1]' } });
    expect((await call('GET', '/v1/admin/channels')).body).toMatchObject({ version: 2 });
  });
});
