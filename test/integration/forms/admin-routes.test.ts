/**
 * The forms admin API on the local emulators, as the formsAdmin role (IAM check on): definitions checked
 * before they are stored, stats from the daily counters, submissions paged newest first with a cursor.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formKeys } from '../../../functions/forms/domain/model.js';
import { dayRange } from '../../../functions/forms/domain/stats.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let s3: S3Client;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** A request as API Gateway delivers it through the area's greedy admin route. */
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { body?: unknown; query?: Record<string, string>; type?: string } = {}) {
  const event = apiEvent({ method, path: `/v1/admin/forms${path}`, ...(opts.body !== undefined ? { body: opts.body } : {}), ...(opts.query ? { query: opts.query } : {}), headers: { 'content-type': opts.type ?? 'application/json' } });
  const res = await handler({ ...event, routeKey: path ? 'ANY /v1/admin/forms/{proxy+}' : 'ANY /v1/admin/forms' }, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: aws.env.CONTENT_BUCKET, Prefix: 'forms/' }))).Contents ?? []).map((o) => o.Key).sort();
const object = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: key }))).Body!.transformToString();

const brochure = `title: { ja: 資料ダウンロード, en: Brochure }
fields:
  - { name: email, type: email, label: { ja: メール, en: Email }, required: true, trait: email }
  - { name: company, type: text, label: { ja: 会社名, en: Company }, trait: company }
consents:
  - { id: newsletter, purpose: email, version: '1', text: { ja: ニュースを受け取る, en: Send me news } }
submit: { message: { ja: ありがとう, en: Thanks } }
`;

beforeAll(async () => {
  aws = await startTestAws({ PUBLIC_API_URL: 'https://api.nurture.test' });
  s3 = new S3Client({ forcePathStyle: true, endpoint: aws.emulators.endpoints.s3, region: aws.emulators.region, credentials: aws.emulators.credentials });
  handler = asFunction('formsAdmin', ((await import('../../../functions/forms/admin.js')) as unknown as { handler: typeof handler }).handler);
}, 120_000);
afterAll(async () => {
  s3?.destroy();
  await aws?.stop();
});

describe('form definitions through the admin API (formsAdmin role)', () => {
  it('refuses a bad definition with 400 naming every problem and its line, and writes nothing', async () => {
    const bad = brochure.replace("version: '1',", "version: '1', required: true,").replace('trait: company }', 'trait: company, value: x }');
    const res = await call('PUT', '/brochure', { body: bad, type: 'text/yaml' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('fields[1].value');
    expect(res.body.problems).toEqual([expect.objectContaining({ field: 'fields[1].value', line: 4 }), expect.objectContaining({ field: 'consents[0].required', line: 6 })]);
    expect(await keys()).toEqual([]);
    expect((await call('POST', '/validate', { body: bad, type: 'application/yaml' })).body).toMatchObject({ ok: false, errors: [{ field: 'fields[1].value' }, { field: 'consents[0].required' }] });
    expect(await keys()).toEqual([]);
  });

  it('stores a good YAML definition with its report, and a replay writes the same', async () => {
    const res = await call('PUT', '/brochure', { body: brochure, type: 'text/yaml; charset=utf-8' });
    expect(res).toMatchObject({ status: 200, body: { formId: 'brochure', ok: true, form: { id: 'brochure', locale: 'ja' } } });
    expect(await keys()).toEqual(['forms/brochure.check.json', 'forms/brochure.yaml']);
    expect(await object('forms/brochure.yaml')).toBe(brochure);
    expect(JSON.parse(await object('forms/brochure.check.json'))).toMatchObject({ ok: true, form: { version: res.body.form.version } });
    expect((await call('PUT', '/brochure', { body: brochure, type: 'text/yaml' })).body.form.version).toBe(res.body.form.version);
  });

  it('stores a JSON object as the YAML it is, and a bad JSON one answers 400 naming the field', async () => {
    const def = { title: 'Seminar', fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }], submit: { redirect: '/p/thanks' } };
    expect(await call('PUT', '/seminar', { body: def })).toMatchObject({ status: 200, body: { ok: true, source: 'seminar.yaml' } });
    expect(await object('forms/seminar.yaml')).toContain('redirect: /p/thanks');
    const bad = await call('PUT', '/seminar', { body: { ...def, fields: [{ ...def.fields[0], type: 'emial' }] } });
    expect(bad).toMatchObject({ status: 400, body: { field: 'fields[0].type' } });
    expect(await call('PUT', '/seminar', { body: '[1]' })).toMatchObject({ status: 400, body: { field: 'body' } });
    expect(await call('PUT', '/Bad_Id', { body: def })).toMatchObject({ status: 400, body: { field: 'id' } });
  });

  it('answers a form with its stats from the daily counters, and lists every form with 30-day totals', async () => {
    const { from, to } = dayRange(new Date(), 3);
    const put = (date: string, item: Record<string, number>) => aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: { pk: formKeys.formStatsPk('brochure'), sk: formKeys.statsSk(date), ...item } }));
    await put(from, { views: 40, submissions: 2, refused: 1 });
    await put(to, { views: 60, submissions: 3 });
    await put('2020-01-01', { views: 1000, submissions: 1000 });
    const got = await call('GET', '/brochure', { query: { days: '3' } });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: 'brochure', definition: { id: 'brochure' }, report: { ok: true }, stats: { views: 100, submissions: 5, refused: 1, conversionRate: 0.05 } });
    expect(got.body.stats.days.map((d: { date: string }) => d.date)).toHaveLength(3);
    expect(await call('GET', '/brochure', { query: { days: '367' } })).toMatchObject({ status: 400, body: { field: 'days' } });
    expect(await call('GET', '/nothing')).toMatchObject({ status: 404 });
    const list = await call('GET', '');
    expect(list.body.forms).toEqual([
      { id: 'brochure', title: { ja: '資料ダウンロード', en: 'Brochure' }, ok: true, errors: 0, checkedAt: expect.any(String), stats: { views: 100, submissions: 5, refused: 1, conversionRate: 0.05 } },
      expect.objectContaining({ id: 'seminar', ok: true }),
    ]);
  });

  it('pages submissions newest first with a cursor, within from/to, and refuses a cursor of another form', async () => {
    const at = (i: number) => `2026-12-0${1 + Math.floor(i / 10)}T09:00:${String(i % 60).padStart(2, '0')}.000Z`;
    const items = Array.from({ length: 25 }, (_, i) => ({
      pk: formKeys.submissionPk('brochure'),
      sk: formKeys.submissionSk(at(i), `sub_${String(i).padStart(4, '0')}`),
      formId: 'brochure',
      submissionId: `sub_${String(i).padStart(4, '0')}`,
      submittedAt: at(i),
      profileId: `p${i}`,
      locale: 'ja',
      values: { email: `u${i}@example.jp` },
      consents: [],
    }));
    for (let i = 0; i < items.length; i += 25) await aws.doc.send(new BatchWriteCommand({ RequestItems: { [aws.env.TABLE_NAME!]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', '/brochure/submissions', { query: { limit: '10', ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      for (const s of page.body.items) {
        expect(s).not.toHaveProperty('pk');
        expect(s).not.toHaveProperty('sk');
        seen.push(s.submissionId);
      }
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toEqual(items.map((s) => s.submissionId).reverse());
    const day = await call('GET', '/brochure/submissions', { query: { from: '2026-12-02', to: '2026-12-02' } });
    expect(day.body.items.map((s: { submissionId: string }) => s.submissionId)).toEqual(items.slice(10, 20).map((s) => s.submissionId).reverse());
    const first = await call('GET', '/brochure/submissions', { query: { limit: '1' } });
    expect(await call('GET', '/seminar/submissions', { query: { cursor: first.body.cursor } })).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect(await call('GET', '/brochure/submissions', { query: { cursor: 'not-a-cursor' } })).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect(await call('GET', '/brochure/submissions', { query: { limit: '501' } })).toMatchObject({ status: 400, body: { field: 'limit' } });
    expect(await call('GET', '/brochure/submissions', { query: { from: 'yesterday' } })).toMatchObject({ status: 400, body: { field: 'from' } });
  });

  it('deletes the source and the report, keeps the submissions, and a replayed delete answers deleted: false', async () => {
    expect(await call('DELETE', '/brochure')).toMatchObject({ status: 200, body: { deleted: true } });
    expect(await keys()).toEqual(['forms/seminar.check.json', 'forms/seminar.yaml']);
    expect(await call('DELETE', '/brochure')).toMatchObject({ status: 200, body: { deleted: false } });
    expect((await call('GET', '/brochure/submissions', { query: { limit: '5' } })).body.items).toHaveLength(5);
  });
});
