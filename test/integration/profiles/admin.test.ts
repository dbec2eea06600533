import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { publicPath, putRules } from '../../helpers/public-path.js';

let aws: TestAws;
let bus: LocalEventBus;
let send: Awaited<ReturnType<typeof publicPath>>;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let leadId: string;

interface View {
  profile: { profileId: string; email?: string; stage: string; traits: Record<string, unknown> };
  identities: { anonymousIds: string[]; mergedProfiles: string[] };
  score: { total: number; fit: number; byRule: { ruleId: string; points: number; description?: string }[] };
  activity: { id: string; t: string; path?: string }[];
  next?: string;
}

async function get(routeKey: string, path: string, opts: { params?: Record<string, string>; query?: Record<string, string> } = {}) {
  const event = { ...apiEvent({ method: 'GET', path, ...(opts.query ? { query: opts.query } : {}) }), routeKey, ...(opts.params ? { pathParameters: opts.params } : {}) };
  const res = await handler(event, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}
const profile = (id: string, query?: Record<string, string>) =>
  get('GET /v1/admin/profiles/{id}', `/v1/admin/profiles/${encodeURIComponent(id)}`, { params: { id: encodeURIComponent(id) }, ...(query ? { query } : {}) });

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' }, { lake: true });
  await putRules(aws);
  send = await publicPath(aws);
  ({ handler } = (await import('../../../functions/profiles/admin.js')) as unknown as { handler: typeof handler });
  // A visitor reads pricing, fills the form on the laptop, later identifies on the phone too.
  await send('page', { anonymousId: 'laptop', messageId: 'v-1', context: { page: { path: '/pricing' } } });
  const [identified] = await send('identify', { anonymousId: 'laptop', traits: { email: 'Mia@Northwind.example', company: 'Northwind', title: 'Head of Sales' } });
  leadId = identified!.nurture.profileId!;
  await send('page', { anonymousId: 'phone', messageId: 'v-2', context: { page: { path: '/products/insight' } } });
  await send('identify', { anonymousId: 'phone', traits: { email: 'mia@northwind.example' } });
  // Enough history for two pages of activity: page views live in the event lake, not on the profile item.
  const views = Array.from({ length: 70 }, (_, i) => ({ type: 'page', anonymousId: 'laptop', messageId: `h-${i}`, timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), context: { page: { path: `/blog/${i}` } } }));
  await send('batch', { batch: views });
  await aws.lake!.flush();
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

describe('GET /v1/admin/profiles/{id}', () => {
  it('shows a lead by email with identities, the score explained and the newest activity', async () => {
    const { status, body } = await profile('email:MIA@northwind.example');
    const view = body as unknown as View;
    expect(status).toBe(200);
    expect(view.profile).toMatchObject({ profileId: leadId, email: 'mia@northwind.example', traits: { company: 'Northwind' } });
    expect(view.identities.mergedProfiles).toEqual([anonymousProfileId('phone')]);
    expect(view.identities.anonymousIds.sort()).toEqual(['laptop', 'phone']);
    expect(view.score.fit).toBe(20);
    expect(view.score.byRule.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['pricing-page', 'product-pages', 'decision-maker', 'has-company']));
    expect(view.score.byRule.find((r) => r.ruleId === 'forecast-product')).toBeUndefined();
    expect(view.activity).toHaveLength(50);
    expect(view.activity.map((a) => a.t)).toEqual([...view.activity.map((a) => a.t)].sort().reverse());
  });

  it('resolves a merged profile id, an anonymous id and a user-less lead to the same survivor', async () => {
    for (const id of [anonymousProfileId('phone'), 'anon:phone', 'anon:laptop', leadId]) {
      const { status, body } = await profile(id);
      expect(status).toBe(200);
      expect((body as unknown as View).profile.profileId).toBe(leadId);
    }
  });

  it('pages through all the activity of the lead and of the profile merged into it, once each', async () => {
    const seen: View['activity'] = [];
    let query: Record<string, string> | undefined;
    for (let page = 0; page < 5; page++) {
      const view = (await profile(leadId, query)).body as unknown as View;
      seen.push(...view.activity);
      if (!view.next) break;
      query = Object.fromEntries(new URLSearchParams(view.next.slice(1)));
    }
    const ids = seen.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['v-1', 'v-2', 'h-0', 'h-69']));
    expect(ids.filter((id) => id.startsWith('h-'))).toHaveLength(70);
  });

  it('answers 404 for nobody, and 400 naming the parameter for a bad email or cursor', async () => {
    expect(await profile('email:nobody@northwind.example')).toMatchObject({ status: 404, body: { field: 'id' } });
    expect(await profile('p_doesnotexist')).toMatchObject({ status: 404 });
    expect(await profile('email:not-an-address')).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await profile(leadId, { before: 'yesterday' })).toMatchObject({ status: 400, body: { field: 'before' } });
  });
});

describe('GET /v1/admin/leads', () => {
  it('lists known leads best first with their score, and refuses a bad limit or stage', async () => {
    const { status, body } = await get('GET /v1/admin/leads', '/v1/admin/leads');
    expect(status).toBe(200);
    const leads = body.leads as { profileId: string; score: number; email?: string; company?: string }[];
    expect(leads[0]).toMatchObject({ profileId: leadId, email: 'mia@northwind.example', company: 'Northwind' });
    expect(leads[0]!.score).toBeGreaterThan(20);
    expect(leads.map((l) => l.profileId)).not.toContain(anonymousProfileId('phone'));
    expect(await get('GET /v1/admin/leads', '/v1/admin/leads', { query: { limit: '0' } })).toMatchObject({ status: 400, body: { field: 'limit' } });
    expect(await get('GET /v1/admin/leads', '/v1/admin/leads', { query: { stage: 'vip' } })).toMatchObject({ status: 400, body: { field: 'stage' } });
  });
});
