import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRegistryStore } from '../../../functions/channels/adapters/registry-store.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { publicPath, putRules } from '../../helpers/public-path.js';

let aws: TestAws;
let bus: LocalEventBus;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let leadId: string;

interface Touch {
  kind: string;
  id: string;
  at: string;
  landingPage?: string;
  source?: string;
  medium?: string;
  campaign?: string;
  classification: { medium: string; mediumName: string; channel: string };
}

async function get(routeKey: string, path: string, params: Record<string, string>, query?: Record<string, string>) {
  const event = { ...apiEvent({ method: 'GET', path, ...(query ? { query } : {}) }), routeKey, pathParameters: params };
  const res = await handler(event, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}
const touches = (id: string, query?: Record<string, string>) =>
  get('GET /v1/admin/profiles/{id}/touches', `/v1/admin/profiles/${encodeURIComponent(id)}/touches`, { id: encodeURIComponent(id) }, query);
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' }, { lake: true });
  await putRules(aws);
  const send = await publicPath(aws);
  handler = asFunction('adminProfiles', ((await import('../../../functions/profiles/admin.js')) as unknown as { handler: typeof handler }).handler);
  // The operator registers their own seminar series before the defaults.
  await new DynamoRegistryStore(aws.doc, aws.env.TABLE_NAME!).putRegistry({ media: [{ id: 'dx-seminar', name: 'DX seminar series', group: 'offline', match: [{ medium: ['offline'], campaign: ['dx-*'] }] }] }, 0);
  // A Google Ads click (anonymous), a second page in the same visit, then a seminar, then an organic visit after identifying.
  const ad = { source: 'google', medium: 'cpc', name: 'spring' };
  await send('page', { anonymousId: 'touch-laptop', messageId: 't-1', timestamp: hoursAgo(72), context: { campaign: ad, page: { path: '/lp/spring', url: 'https://site.example/lp/spring?utm_source=google' } } });
  await send('page', { anonymousId: 'touch-laptop', messageId: 't-2', timestamp: hoursAgo(71.9), context: { page: { path: '/pricing' } } });
  const [identified] = await send('identify', { anonymousId: 'touch-laptop', messageId: 't-3', timestamp: hoursAgo(71.8), traits: { email: 'ken@touch.example' } });
  leadId = identified!.nurture.profileId!;
  await send('track', {
    anonymousId: 'touch-laptop',
    messageId: 't-4',
    event: 'Offline Touch',
    timestamp: hoursAgo(48),
    context: { campaign: { source: 'seminar', medium: 'offline', name: 'dx-2026' } },
    properties: { channel: 'seminar', campaign: 'dx-2026' },
  });
  await send('page', { anonymousId: 'touch-laptop', messageId: 't-5', timestamp: hoursAgo(24), context: { page: { path: '/blog/a', referrer: 'https://www.google.co.jp/', url: 'https://site.example/blog/a' } } });
  await aws.lake!.flush();
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

describe('GET /v1/admin/profiles/{id}/touches', () => {
  it('lists every visit and offline touch of the lead oldest first, each classified under the registry in force', async () => {
    const { status, body } = await touches('email:ken@touch.example');
    expect(status).toBe(200);
    expect(body).toMatchObject({ profileId: leadId, days: 366, truncated: false });
    const list = body.touches as Touch[];
    expect(list.map((t) => [t.id, t.kind, t.classification.medium, t.classification.channel])).toEqual([
      ['t-1', 'visit', 'google-ads', 'paid_search'],
      ['t-4', 'offline', 'dx-seminar', 'offline'],
      ['t-5', 'visit', 'google', 'organic_search'],
    ]);
    expect(list[0]).toMatchObject({ landingPage: '/lp/spring', source: 'google', medium: 'cpc', campaign: 'spring' });
    // Replaying the read answers the same.
    expect((await touches(leadId)).body.touches).toEqual(list);
  });

  it('reads only the span asked, and refuses a span beyond the limit naming `days`', async () => {
    expect(((await touches(leadId, { days: '2' })).body.touches as Touch[]).map((t) => t.id)).toEqual(['t-5']);
    expect(await touches(leadId, { days: '3661' })).toMatchObject({ status: 400, body: { field: 'days' } });
    expect(await touches(leadId, { days: '0' })).toMatchObject({ status: 400, body: { field: 'days' } });
    expect(await touches('email:nobody@touch.example')).toMatchObject({ status: 404 });
  });

  it("classifies the profile's first and last touch in the profile view", async () => {
    const { body } = await get('GET /v1/admin/profiles/{id}', `/v1/admin/profiles/${leadId}`, { id: leadId });
    expect(body.touches).toMatchObject({
      first: { source: 'google', classification: { medium: 'google-ads', mediumName: 'Google Ads', channel: 'paid_search' } },
      last: { referrerDomain: 'google.co.jp', classification: { medium: 'google', channel: 'organic_search' } },
    });
  });
});
