import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putPageFile } from '../../../cli/commands/pages.js';
import { checkStoredPage, checkStoredPageKey } from '../../../functions/forms/adapters/page-checker.js';
import { pageAdminPortsFromEnv, pagePortsFromEnv } from '../../../functions/forms/adapters/page-ports.js';
import { S3FormsContent } from '../../../functions/forms/adapters/s3-content.js';
import { formKeys } from '../../../functions/forms/domain/model.js';
import { formCheckKey } from '../../../functions/forms/domain/reports.js';
import { checkRenderToken } from '../../../functions/forms/domain/tokens.js';
import { pageAdminRoutes } from '../../../functions/forms/page-admin-routes.js';
import { pageRoutes } from '../../../functions/forms/page-routes.js';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpResult, Route } from '../../../functions/shared/http.js';
import { httpFunction } from '../../../functions/shared/http-function.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import type { FunctionName } from '../../../functions/shared/functions.js';
import type { PolicySet } from '../../../local/iam/index.js';
import { apiEvent, browserUserAgent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { demoFile, demoFormReport } from '../../helpers/page-fixtures.js';

const secret = 'test-link-secret';
const api = 'https://api.example.com';
let aws: TestAws;
let content: S3FormsContent;
let servePage: ReturnType<typeof served>;
let serveAdmin: ReturnType<typeof served>;

/**
 * The grants infra/forms.ts gives the two functions (the lead adds them at merge): `forms` reads pages/
 * and forms/ and adds to the counters; `formsAdmin` also writes pages/, lists the bucket, reads the stats.
 * Used only while the synthesized stack has no role for them.
 */
function withFormsGrants(set: PolicySet, env: Record<string, string>): PolicySet {
  const bucket = `arn:aws:s3:::${env.CONTENT_BUCKET}`;
  const table = `arn:aws:dynamodb:*:*:table/${env.TABLE_NAME}`;
  const role = (name: string, statements: object[]) => ({ arn: `arn:aws:sts::000000000000:assumed-role/${name}Role/${name}`, statements: statements as never });
  return {
    principals: {
      ...set.principals,
      ...(set.principals.forms
        ? {}
        : {
            forms: role('forms', [
              { Effect: 'Allow', Action: 's3:GetObject', Resource: [`${bucket}/pages/*`, `${bucket}/forms/*`] },
              { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: table },
            ]),
          }),
      ...(set.principals.formsAdmin
        ? {}
        : {
            formsAdmin: role('formsAdmin', [
              { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `${bucket}/pages/*` },
              { Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucket}/forms/*` },
              { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
              { Effect: 'Allow', Action: 'dynamodb:Query', Resource: table },
            ]),
          }),
    },
  };
}

/** The function's handler as deployed (errors as JSON answers), run as its role. */
function served(fn: FunctionName, routes: readonly Route<unknown>[], ports: unknown) {
  const handler = httpFunction(fn, routes, ports);
  return asFunction(fn, (event: APIGatewayProxyEventV2) => handler(event, {} as Context) as Promise<HttpResult>);
}

const get = (slug: string, headers: Record<string, string> = {}, query?: Record<string, string>) =>
  servePage({ ...apiEvent({ method: 'GET', path: `/p/${slug}`, headers, ...(query ? { query } : {}) }), routeKey: 'GET /p/{slug}', pathParameters: { slug } });

const admin = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', template: string, slug: string, body?: string) =>
  serveAdmin({
    ...apiEvent({ method, path: template.replace('{slug}', slug), headers: { 'content-type': 'text/plain' }, ...(body !== undefined ? { body } : {}) }),
    routeKey: `${method} ${template}`,
    pathParameters: { slug },
  });

async function views(pk: string): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const res = await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk, sk: formKeys.statsSk(today) } }));
  return Number(res.Item?.views ?? 0);
}

const tokenOf = (html: string) => /name="_token" value="([^"]+)"/.exec(html)?.[1];

beforeAll(async () => {
  const env = { LINK_SECRET: secret, PUBLIC_API_URL: api, PAGES_WRITE_KEY: 'wk_test', TRACKER_SCRIPT_URL: 'https://www.example.com/nurture.min.js' };
  aws = await startTestAws(env);
  if (!aws.iam.policies?.principals.forms || !aws.iam.policies.principals.formsAdmin) {
    const synthesized = aws.iam.policies;
    await aws.stop();
    aws = await startTestAws(env, synthesized ? { policies: withFormsGrants(synthesized, { ...process.env } as Record<string, string>) } : {});
  }
  content = new S3FormsContent(s3Client(), aws.env.CONTENT_BUCKET!, 0);
  // The two files a marketer uploads (the form's report stands for the forms check), and the layout seeded from templates/pages/layouts/.
  await content.put('pages/layouts/brochure.liquid', demoFile('pages/layouts/brochure.liquid'), 'text/plain');
  await content.put('forms/brochure.yaml', demoFile('forms/brochure.yaml'), 'text/yaml');
  await content.put(formCheckKey('brochure'), JSON.stringify(demoFormReport('brochure')), 'application/json');
  await content.put('pages/brochure.liquid', demoFile('pages/brochure.liquid'), 'text/plain');
  servePage = served('forms', pageRoutes as Route<unknown>[], await asFunction('forms', pagePortsFromEnv)());
  serveAdmin = served('formsAdmin', pageAdminRoutes as Route<unknown>[], pageAdminPortsFromEnv());
}, 120_000);

afterAll(async () => {
  await aws?.stop();
});

describe('landing page upload and serving', () => {
  it('checks the uploaded page and writes a passing report', async () => {
    const report = await asFunction('formsAdmin', checkStoredPage)(content, 'pages/brochure.liquid');
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect((await content.pageReport('brochure'))?.page?.formId).toBe('brochure');
  });

  it('serves the page with its form, a token bound to the nurture_aid cookie, the tracker, and no shared caching', async () => {
    const aid = randomUUID();
    const res = await get('brochure', { cookie: `other=1; nurture_aid=${aid}`, 'user-agent': browserUserAgent, referer: 'https://search.example/' }, { utm_source: 'news' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('private, no-store');
    const html = String(res.body);
    expect(html).toContain(`action="${api}/v1/forms/brochure/submit" method="post"`);
    expect(html).toContain('<input type="hidden" name="utm_source" value="news">');
    expect(html).toContain('<input type="hidden" name="_ref" value="https://search.example/">');
    expect(html).toContain("writeKey: \"wk_test\"");
    const check = checkRenderToken(secret, tokenOf(html)!, 'brochure', new Date());
    expect(check).toMatchObject({ ok: true, claims: { f: 'brochure', a: aid, p: 'brochure' } });
  });

  it('counts a view of the page and of its form per request, never for a bot', async () => {
    const [page0, form0] = [await views(formKeys.pageStatsPk('brochure')), await views(formKeys.formStatsPk('brochure'))];
    await get('brochure', { 'user-agent': browserUserAgent });
    expect(await views(formKeys.pageStatsPk('brochure'))).toBe(page0 + 1);
    expect(await views(formKeys.formStatsPk('brochure'))).toBe(form0 + 1);
    const bot = await get('brochure', { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
    expect(bot.statusCode).toBe(200);
    expect((await get('brochure', {})).statusCode).toBe(200);
    expect(await views(formKeys.pageStatsPk('brochure'))).toBe(page0 + 1);
  });

  it('answers an HTML 404 for an unknown slug and for a malformed one', async () => {
    for (const slug of ['no-such-page', 'Bad%20Slug']) {
      const res = await get(slug, { 'user-agent': browserUserAgent });
      expect(res.statusCode).toBe(404);
      expect(String(res.body)).toContain('Page not found');
    }
  });
});

describe('layout changes', () => {
  it('re-check the pages of an edited layout, and unpublish them when it is deleted', async () => {
    const original = demoFile('pages/layouts/brochure.liquid');
    await content.put('pages/layouts/brochure.liquid', original.replace('<main id="main"', '<!-- v2 --><main id="main"'), 'text/plain');
    const edited = await asFunction('formsAdmin', checkStoredPageKey)(content, 'pages/layouts/brochure.liquid');
    expect(edited.map((r) => r.slug)).toContain('brochure');
    expect((await content.pageReport('brochure'))?.page?.layoutSource).toContain('<!-- v2 -->');
    await content.delete('pages/layouts/brochure.liquid');
    await asFunction('formsAdmin', checkStoredPageKey)(content, 'pages/layouts/brochure.liquid');
    expect((await content.pageReport('brochure'))?.ok).toBe(false);
    await content.put('pages/layouts/brochure.liquid', original, 'text/plain');
    await asFunction('formsAdmin', checkStoredPageKey)(content, 'pages/layouts/brochure.liquid');
    expect((await content.pageReport('brochure'))?.ok).toBe(true);
    expect(await asFunction('formsAdmin', checkStoredPageKey)(content, 'pages/brochure.check.json')).toEqual([]);
  });
});

describe('nurture pages put', () => {
  it('refuses a failing page without uploading it, and uploads and checks a passing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nurture-pages-'));
    writeFileSync(join(dir, 'broken.liquid'), '---\nlayout: brochure\ntitle: T\n---\n{% if %}\n');
    writeFileSync(join(dir, 'fine.liquid'), '---\nlayout: brochure\ntitle: Fine\nform: brochure\n---\n<p>ok</p>\n');
    const broken = await asFunction('formsAdmin', putPageFile)(content, join(dir, 'broken.liquid'));
    expect(broken.ok).toBe(false);
    expect(broken.lines.join('\n')).toMatch(/broken\.liquid:5:\d+\s+body/);
    expect(await content.text('pages/broken.liquid')).toBeUndefined();
    const fine = await asFunction('formsAdmin', putPageFile)(content, join(dir, 'fine.liquid'));
    expect(fine).toMatchObject({ ok: true });
    expect((await content.pageReport('fine'))?.ok).toBe(true);
  });
});

describe('landing page admin routes', () => {
  it('refuses a failing page with the field and line, writing nothing', async () => {
    const res = await admin('PUT', '/v1/admin/pages/{slug}', 'draft', '---\nlayout: brochure\ntitle: T\nimag: x\n---\n<p>x</p>\n');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(String(res.body))).toMatchObject({ field: 'imag', line: 4 });
    expect(await content.text('pages/draft.liquid')).toBeUndefined();
  });

  it('publishes a page, reports it with its stats, previews it without counting, and unpublishes it', async () => {
    const source = demoFile('pages/brochure.liquid').replace('title: Acme Analytics', 'title: Second');
    const put = await admin('PUT', '/v1/admin/pages/{slug}', 'second', source);
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(String(put.body))).toMatchObject({ ok: true, slug: 'second' });
    expect((await get('second', { 'user-agent': browserUserAgent })).statusCode).toBe(200);

    const one = JSON.parse(String((await admin('GET', '/v1/admin/pages/{slug}', 'second')).body));
    expect(one.stats).toMatchObject({ views: 1, submissions: 0 });
    const preview = await admin('POST', '/v1/admin/pages/{slug}/preview', 'second', '');
    expect(preview.statusCode).toBe(200);
    expect(String(preview.body)).toContain('name="_token" value="preview"');
    expect(await views(formKeys.pageStatsPk('second'))).toBe(1);

    const list = JSON.parse(String((await serveAdmin({ ...apiEvent({ method: 'GET', path: '/v1/admin/pages' }), routeKey: 'GET /v1/admin/pages' })).body));
    expect(list.pages.map((p: { slug: string }) => p.slug)).toEqual(expect.arrayContaining(['brochure', 'second']));

    expect((await admin('DELETE', '/v1/admin/pages/{slug}', 'second')).statusCode).toBe(200);
    expect((await content.pageReport('second'))?.ok).toBe(false);
    // A warm function serves what it loaded for up to formsCacheMs; a fresh one answers 404 at once.
    servePage = served('forms', pageRoutes as Route<unknown>[], await asFunction('forms', pagePortsFromEnv)());
    expect((await get('second', { 'user-agent': browserUserAgent })).statusCode).toBe(404);
  });

  it('made no call its role does not allow', () => {
    expect(aws.iam.enabled).toBe(true);
    expect([...aws.iam.checked.keys()]).toEqual(expect.arrayContaining(['forms dynamodb:UpdateItem', 'formsAdmin dynamodb:Query']));
    expect(aws.iam.denials).toEqual([]);
  });
});
