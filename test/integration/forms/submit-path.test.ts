import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '../../../functions/forms/adapters/consent-store.js';
import type { FormDefinition } from '../../../functions/forms/domain/definition.js';
import { formKeys } from '../../../functions/forms/domain/model.js';
import { formCheckKey, type FormCheckReport } from '../../../functions/forms/domain/reports.js';
import { rateLimit } from '../../../functions/forms/domain/spam.js';
import { issueRenderToken } from '../../../functions/forms/domain/tokens.js';
import { anonymousProfileId, knownProfileId } from '../../../functions/identity/domain/keys.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { publicPath, putRules } from '../../helpers/public-path.js';

type Http = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type Processor = (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;

const secret = 'form-test-secret-'.padEnd(48, 'x');
const api = 'https://api.nurture.test';
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
let aws: TestAws;
let bus: LocalEventBus;
let forms: Http;
let processor: Processor;
let sendPublic: Awaited<ReturnType<typeof publicPath>>;
let delivered = 0;
/** Records already processed, by shard. */
const deliveredIn = new Map<string, number>();

const brochure: FormDefinition = {
  id: 'brochure',
  version: 'h1',
  title: { ja: '資料請求', en: 'Brochure' },
  locale: 'ja',
  fields: [
    { name: 'email', type: 'email', label: { ja: 'メールアドレス', en: 'Email' }, required: true, trait: 'email' },
    { name: 'company', type: 'text', label: '会社名', trait: 'company', required: true, progressive: true },
  ],
  consents: [
    { id: 'news', purpose: 'email', version: '2026-11', text: { ja: 'ニュースを受け取る', en: 'Send me news' } },
    { id: 'terms', purpose: 'terms', version: 't1', text: '規約に同意します', required: true },
  ],
  submit: { event: 'Brochure Requested', message: { ja: 'ありがとうございます', en: 'Thank you' } },
};
const seminar: FormDefinition = { ...brochure, id: 'seminar', submit: { redirect: '/p/thanks' } };

async function putReport(form: FormDefinition | undefined, formId: string) {
  const s3 = new S3Client({ endpoint: aws.emulators.endpoints.s3, region: 'us-east-1', credentials: aws.emulators.credentials, forcePathStyle: true });
  const report: FormCheckReport = { formId, source: `${formId}.yaml`, ok: Boolean(form), checkedAt: new Date().toISOString(), errors: [], warnings: [], ...(form ? { form } : {}) };
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: formCheckKey(formId), Body: JSON.stringify(report) }));
  s3.destroy();
}

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({
    AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0),
    EVENT_BUS_NAME: 'test-bus',
    PUBLIC_API_URL: api,
    LINK_SECRET: secret,
    ALLOWED_ORIGINS: 'https://www.example.com',
  });
  await putRules(aws);
  await putReport(brochure, 'brochure');
  await putReport(seminar, 'seminar');
  await putReport(undefined, 'broken');
  forms = asFunction('forms', ((await import('../../../functions/forms/public.js')) as unknown as { handler: Http }).handler);
  processor = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: Processor }).handler);
  sendPublic = await publicPath(aws);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

/** A render token issued `agoMs` ago (a person took that long to fill the form in). */
const tokenOf = (formId: string, claims: { a?: string; p?: string } = {}, agoMs = 10_000) => issueRenderToken(secret, { f: formId, ...claims }, new Date(Date.now() - agoMs));

async function call(method: 'GET' | 'POST', formId: string, opts: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; sourceIp?: string } = {}) {
  const path = method === 'GET' ? `/v1/forms/${formId}` : `/v1/forms/${formId}/submit`;
  const event = apiEvent({ method, path, ...opts, headers: opts.headers ?? {} });
  event.routeKey = method === 'GET' ? 'GET /v1/forms/{id}' : 'POST /v1/forms/{id}/submit';
  event.pathParameters = { id: formId };
  const res = await forms(event, ctx);
  const type = String(res.headers?.['content-type'] ?? '');
  return { status: res.statusCode!, headers: res.headers ?? {}, text: String(res.body ?? ''), body: type.startsWith('application/json') ? (JSON.parse(String(res.body)) as Record<string, unknown>) : {} };
}
const postJson = (formId: string, inputs: Record<string, unknown>, opts: { headers?: Record<string, string>; sourceIp?: string } = {}) =>
  call('POST', formId, { body: JSON.stringify(inputs), ...opts, headers: { 'content-type': 'application/json', ...opts.headers } });
const postForm = (formId: string, inputs: Record<string, string>, headers: Record<string, string> = {}) =>
  call('POST', formId, { body: new URLSearchParams(inputs).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

/** Runs the stream processor over the records put since the last run (on a shard of its own), shard by shard. */
async function processNew(): Promise<CollectedEvent[]> {
  const records = await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);
  const fresh: CollectedEvent[] = [];
  const inShard = new Map<string, number>();
  for (const r of records) {
    const i = (inShard.get(r.shardId) ?? 0) + 1;
    inShard.set(r.shardId, i);
    if (i > (deliveredIn.get(r.shardId) ?? 0)) fresh.push(r.data as unknown as CollectedEvent);
  }
  for (const [shard, n] of inShard) deliveredIn.set(shard, n);
  if (fresh.length > 0) expect(await processor(kinesisBatch(fresh, { shard: 'shardId-000000000009', firstSeq: delivered + 1 }), ctx)).toEqual({ batchItemFailures: [] });
  delivered += fresh.length;
  await bus.drain();
  return fresh;
}
const getItem = async (pk: string, sk: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk, sk } }))).Item;
const profile = (id: string) => getItem(`p#${id}`, 'profile');
const today = () => new Date().toISOString().slice(0, 10);
const stats = (formId: string) => getItem(formKeys.formStatsPk(formId), formKeys.statsSk(today()));
const valid = { email: 'hana@firm.jp', company: 'Firm KK', '_consent.news': true, '_consent.terms': true };

describe('GET /v1/forms/{id}', () => {
  it('answers the form in the asked language with a render token, never cached', async () => {
    const res = await call('GET', 'brochure', { query: { lang: 'en' } });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ id: 'brochure', locale: 'en', title: 'Brochure', honeypot: '_hp', token: expect.any(String) });
  });

  it('is a 404 naming id for a missing form and for one whose definition failed its check', async () => {
    for (const id of ['missing', 'broken']) expect(await call('GET', id)).toMatchObject({ status: 404, body: { field: 'id' } });
  });
});

describe('POST /v1/forms/{id}/submit', () => {
  it('names the anonymous visitor: their page views become the lead\'s history, with Form Submitted and consent', async () => {
    await sendPublic('page', { anonymousId: 'visitor-1', name: 'Pricing', context: { page: { path: '/pricing', url: 'https://www.example.com/pricing' } } });
    await sendPublic('track', { anonymousId: 'visitor-1', event: 'Video Played', properties: { video: 'demo' } });
    const res = await postJson('brochure', { ...valid, _token: tokenOf('brochure'), _sid: 'sub-visitor-1' }, { headers: { cookie: 'nurture_aid=visitor-1' } });
    expect(res).toMatchObject({ status: 200, body: { success: true, submissionId: 'sub-visitor-1', message: 'ありがとうございます' } });

    const events = await processNew();
    expect(events.map((e) => e.messageId)).toEqual(['form-brochure-sub-visitor-1-identify', 'form-brochure-sub-visitor-1-submitted', 'form-brochure-sub-visitor-1-event']);
    const id = anonymousProfileId('visitor-1');
    expect((await getItem('id#email#hana@firm.jp', 'link'))?.profileId).toBe(id);
    const lead = await profile(id);
    expect(lead).toMatchObject({ known: true, email: 'hana@firm.jp', traits: { company: 'Firm KK' } });
    // The anonymous history stays on the profile now named (page views are in the lake, not the item's recent list).
    expect((lead!.recent as { name?: string }[]).map((e) => e.name).filter(Boolean)).toEqual(['Video Played', 'Form Submitted', 'Brochure Requested']);
    expect(lead!.recentIds).toHaveLength(5);
    expect(lead!.consent).toMatchObject({ status: 'granted', source: 'form:brochure:2026-11' });

    const ledger = await new DynamoConsentStore(aws.doc, aws.env.TABLE_NAME!).list(id);
    expect(ledger.map((r) => [r.consentId, r.status, r.textVersion, r.text, r.method, r.formId, r.submissionId, r.networkPrefix]).sort()).toEqual([
      ['news', 'granted', '2026-11', 'ニュースを受け取る', 'checkbox', 'brochure', 'sub-visitor-1', '203.0.113.0/24'],
      ['terms', 'granted', 't1', '規約に同意します', 'checkbox', 'brochure', 'sub-visitor-1', '203.0.113.0/24'],
    ]);
  });

  it('leaves out what the named lead\'s profile already answers (progressive profiling), for their cookie or ?aid=', async () => {
    const byCookie = await call('GET', 'brochure', { headers: { cookie: 'nurture_aid=visitor-1' } });
    expect(byCookie.body).toMatchObject({ skipped: ['company'] });
    expect((byCookie.body.fields as { name: string }[]).map((f) => f.name)).toEqual(['email']);
    expect((await call('GET', 'brochure', { query: { aid: 'visitor-1' } })).body.skipped).toEqual(['company']);
    expect((await call('GET', 'brochure', { query: { aid: 'someone-else' } })).body.skipped).toEqual([]);
  });

  it('does everything once when the same submission arrives twice', async () => {
    const before = Number((await stats('brochure'))?.submissions ?? 0);
    const body = { ...valid, email: 'ken@firm.jp', _token: tokenOf('brochure', { a: 'visitor-2' }) };
    const first = await postJson('brochure', body);
    const again = await postJson('brochure', body);
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    const sid = String(first.body.submissionId);

    const subs = await aws.doc.send(new QueryCommand({ TableName: aws.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': formKeys.submissionPk('brochure') } }));
    expect(subs.Items!.filter((i) => i.submissionId === sid)).toHaveLength(1);
    const events = await processNew();
    expect(events.filter((e) => e.messageId.includes(sid)).map((e) => e.messageId.split('-').at(-1))).toEqual(['identify', 'submitted', 'event']);
    expect(Number((await stats('brochure'))!.submissions)).toBe(before + 1);
    const lead = await profile(anonymousProfileId('visitor-2'));
    expect((lead!.recent as { name?: string }[]).filter((e) => e.name === 'Form Submitted')).toHaveLength(1);
  });

  it('accepts one of two identical submissions racing each other, and answers the other as a repeat', async () => {
    const before = Number((await stats('brochure'))?.submissions ?? 0);
    const body = { ...valid, email: 'race@firm.jp', _token: tokenOf('brochure', { a: 'visitor-3' }), _sid: 'sub-race-0001' };
    const [a, b] = await Promise.all([postJson('brochure', body), postJson('brochure', body)]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ status: 200, body: { submissionId: 'sub-race-0001' } });
    expect(Number((await stats('brochure'))!.submissions)).toBe(before + 1);
    await processNew();
    const lead = await profile(anonymousProfileId('visitor-3'));
    expect((lead!.recent as { name?: string }[]).filter((e) => e.name === 'Form Submitted')).toHaveLength(1);
  });

  it('refuses a filled honeypot and a submission 300 ms after rendering, leaving no identity link, profile or event', async () => {
    const refusedBefore = Number((await stats('brochure'))?.refused ?? 0);
    const streamBefore = (await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).length;
    const honeypot = await postJson('brochure', { ...valid, email: 'bot@spam.jp', _hp: 'http://spam', _token: tokenOf('brochure', { a: 'bot-1' }) });
    expect(honeypot).toMatchObject({ status: 422, body: { reason: 'honeypot', field: '_hp' } });

    const rendered = await call('GET', 'brochure', { query: { aid: 'bot-1' } });
    await new Promise((r) => setTimeout(r, 300));
    const fast = await postJson('brochure', { ...valid, email: 'bot@spam.jp', _token: String(rendered.body.token) });
    expect(fast).toMatchObject({ status: 422, body: { reason: 'too-fast', field: '_token' } });
    expect(await postJson('brochure', { ...valid, email: 'bot@spam.jp', _token: tokenOf('seminar') })).toMatchObject({ status: 422, body: { reason: 'token' } });

    expect(await getItem('id#email#bot@spam.jp', 'link')).toBeUndefined();
    expect(await getItem('id#anon#bot-1', 'link')).toBeUndefined();
    expect(await profile(anonymousProfileId('bot-1'))).toBeUndefined();
    expect(await profile(knownProfileId({ kind: 'email', value: 'bot@spam.jp' }))).toBeUndefined();
    expect((await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).length).toBe(streamBefore);
    expect(Number((await stats('brochure'))!.refused)).toBe(refusedBefore + 3);
  });

  it(`refuses the ${rateLimit.max + 1}st submission from one network within ${rateLimit.windowMs / 60_000} minutes`, async () => {
    // Not across a window boundary: the window is fixed, so wait for the next one if this one is about to end.
    const left = rateLimit.windowMs - (Date.now() % rateLimit.windowMs);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 50));
    for (let i = 0; i < rateLimit.max; i++) {
      expect((await postJson('brochure', { email: 'x', _token: tokenOf('brochure') }, { sourceIp: `192.0.2.${i + 1}` })).status).toBe(400);
    }
    expect(await postJson('brochure', { ...valid, _token: tokenOf('brochure') }, { sourceIp: '192.0.2.200' })).toMatchObject({ status: 422, body: { reason: 'rate-limit' } });
    expect((await postJson('brochure', { ...valid, email: 'other@net.jp', _token: tokenOf('brochure') }, { sourceIp: '198.51.100.9' })).status).toBe(200);
  });

  it('answers a form post without JavaScript with pages: errors listed in the visitor\'s language, a thank-you, or a 303 to the redirect', async () => {
    const bad = await postForm('brochure', { email: 'nope', _token: tokenOf('brochure'), _url: 'https://www.example.com/brochure' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toContain('<html lang="ja">');
    expect(bad.text).toContain('メールアドレス: メールアドレスの形式が正しくありません');
    expect(bad.text).toContain('href="https://www.example.com/brochure"');

    const ok = await postForm('brochure', { email: 'mai@firm.jp', company: 'Firm', '_consent.terms': 'on', _token: tokenOf('brochure') }, { 'accept-language': 'en' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<html lang="en">');
    expect(ok.text).toContain('Thank you');

    const redirected = await postForm('seminar', { email: 'jun@firm.jp', company: 'Firm', '_consent.terms': 'on', _token: tokenOf('seminar') });
    expect(redirected).toMatchObject({ status: 303, headers: { location: `${api}/p/thanks` } });
    await processNew();
    expect(await profile(knownProfileId({ kind: 'email', value: 'jun@firm.jp' }))).toMatchObject({ known: true, email: 'jun@firm.jp' });
  });
});
