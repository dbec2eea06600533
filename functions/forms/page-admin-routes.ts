/**
 * Admin routes of landing pages (function `formsAdmin`): list, read (check report and daily stats), put a
 * page source (checked first: nothing is written when it fails), delete, and preview. A page is served at
 * `GET /p/{slug}` once `pages/<slug>.liquid` passed its check.
 */
import * as z from 'zod/mini';
import { ClientError, NotFoundError } from '../shared/errors.js';
import { bodyText, type HttpRequest, type HttpResult, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema } from '../shared/route-docs.js';
import type { FormDefinition } from './domain/definition.js';
import { formHtml } from './domain/form-html.js';
import { checkPage, pageLimits, slugPattern } from './domain/page-check.js';
import { publicForm } from './domain/public-form.js';
import { placeholderFormHtml, renderPage } from './domain/render-page.js';
import { type CompiledPage, formCheckKey, type FormCheckReport, layoutsPrefix, pageCheckKey, type PageCheckReport, pagesPrefix } from './domain/reports.js';
import type { StatsDay } from './adapters/page-stats.js';

/** What the page admin routes need (adapters/page-ports.ts). */
export interface PageAdminPorts {
  content: {
    text(key: string): Promise<string | undefined>;
    json<T>(key: string): Promise<T | undefined>;
    put(key: string, body: string, contentType: string): Promise<void>;
    delete(key: string): Promise<void>;
    list(prefix: string): Promise<{ key: string }[]>;
    form(formId: string): Promise<FormDefinition | undefined>;
  };
  stats: { pageDays(slug: string, from: string): Promise<StatsDay[]> };
  /** Checks the stored source and writes its report (adapters/page-checker.ts checkStoredPage). */
  check(key: string): Promise<PageCheckReport>;
  publicApiUrl: string;
  now(): Date;
}

/** Pages listed at most (a deployment's landing pages; the list reads one report per page). */
export const maxPagesListed = 500;

const sourceKey = (slug: string) => `${pagesPrefix}${slug}.liquid`;

function slugOf(req: HttpRequest): string {
  const slug = req.params.slug ?? '';
  if (!slugPattern.test(slug)) throw new ClientError(400, 'slug: 1-64 chars of a-z, 0-9, _ and -', { field: 'slug' });
  return slug;
}

const daysQuery = z.object({ days: z.optional(z.pipe(z.string().check(z.regex(/^([1-9]\d{0,1}|[12]\d{2}|3[0-5]\d|36[0-6])$/, '1 to 366')), z.transform(Number))) });

/** The stats of a page over its days: views, submissions and the conversion rate. */
export function pageStats(days: StatsDay[]) {
  const views = days.reduce((n, d) => n + d.views, 0);
  const submissions = days.reduce((n, d) => n + d.submissions, 0);
  return { views, submissions, conversionRate: views === 0 ? 0 : submissions / views, days };
}

async function lookups(ports: PageAdminPorts) {
  return {
    layout: (name: string) => ports.content.text(`${layoutsPrefix}${name}.liquid`),
    formState: async (formId: string) => {
      const r = await ports.content.json<FormCheckReport>(formCheckKey(formId));
      return r === undefined ? ('missing' as const) : r.ok ? ('ok' as const) : ('failing' as const);
    },
  };
}

/** The page rendered for an operator: its real form (sample token, no counters) or a placeholder. */
export async function previewPage(page: CompiledPage, ports: Pick<PageAdminPorts, 'content' | 'publicApiUrl'>): Promise<string> {
  const def = page.formId ? await ports.content.form(page.formId) : undefined;
  const form = def
    ? formHtml(publicForm(def, page.locale), { action: `${ports.publicApiUrl}/v1/forms/${def.id}/submit`, hidden: { token: 'preview', page: page.slug } })
    : page.formId
      ? placeholderFormHtml(page.formId)
      : '';
  return renderPage({ page, formHtml: form, url: `${ports.publicApiUrl}/p/${page.slug}` });
}

const htmlAnswer = (body: string): HttpResult => ({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body });

function refused(report: PageCheckReport): ClientError {
  const first = report.errors[0]!;
  return new ClientError(400, `${first.field}${first.line ? ` (line ${first.line})` : ''}: ${first.message}`, { field: first.field, ...(first.line ? { line: first.line } : {}), errors: report.errors, warnings: report.warnings });
}

const reportSchema = { type: 'object', description: 'The check report (functions/forms/domain/reports.ts PageCheckReport)' };
const tags = ['admin', 'forms'];

export const pageAdminRoutes = routesOf<PageAdminPorts>('formsAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/pages',
    auth: 'admin',
    doc: { summary: 'Landing pages and their check verdicts', tags, responses: { '200': { description: '`pages`: slug, ok, title, form, checkedAt, errors' }, ...adminErrorResponses } },
    async handle(_req, ports) {
      const keys = (await ports.content.list(pagesPrefix))
        .map((o) => o.key)
        .filter((k) => !k.startsWith(layoutsPrefix) && k.endsWith('.check.json'))
        .slice(0, maxPagesListed);
      const reports = await Promise.all(keys.map((k) => ports.content.json<PageCheckReport>(k)));
      const pages = reports
        .filter((r): r is PageCheckReport => r !== undefined)
        .map((r) => ({ slug: r.slug, ok: r.ok, title: r.page?.title, form: r.page?.formId, layout: r.page?.layout, checkedAt: r.checkedAt, errors: r.errors.length, warnings: r.warnings.length }));
      return json(200, { pages });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/pages/{slug}',
    auth: 'admin',
    doc: {
      summary: "A landing page's check report and stats",
      description: '`days` (1-366, default 30): the stats window, UTC days ending today. Conversion rate = submissions / views (bots not counted).',
      tags,
      query: daysQuery,
      responses: { '200': { description: '`report` and `stats` {views, submissions, conversionRate, days}', schema: reportSchema }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const slug = slugOf(req);
      const days = parseQuery(daysQuery, req).days ?? 30;
      const report = await ports.content.json<PageCheckReport>(pageCheckKey(slug));
      if (!report) throw new NotFoundError(`no page ${slug}`, 'slug');
      const from = new Date(ports.now().getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
      return json(200, { report, stats: pageStats(await ports.stats.pageDays(slug, from)) });
    },
  },
  {
    method: 'PUT',
    path: '/v1/admin/pages/{slug}',
    auth: 'admin',
    doc: {
      summary: 'Upload a landing page',
      description: `The page source (front matter + Liquid) as the body, at most ${pageLimits.sourceBytes / 1024} KB. Checked first; when it fails nothing is written and the answer names the field and line of each problem.`,
      tags,
      bodyTypes: ['text/plain'],
      body: { type: 'string' },
      responses: { '200': { description: 'The check report (ok)', schema: reportSchema }, '400': { description: '`field`, `line` and `errors` of the check', schema: clientErrorSchema }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const slug = slugOf(req);
      const source = bodyText(req.event);
      const report = await checkPage(`${slug}.liquid`, source, await lookups(ports), ports.now());
      if (!report.ok) throw refused(report);
      await ports.content.put(sourceKey(slug), source, 'text/plain; charset=utf-8');
      return json(200, await ports.check(sourceKey(slug)));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/pages/{slug}',
    auth: 'admin',
    doc: { summary: 'Unpublish a landing page', description: 'Deletes the source; its report then says so and `/p/{slug}` answers 404.', tags, responses: { '200': { description: '`{slug, deleted: true}`' }, ...adminErrorResponses } },
    async handle(req, ports) {
      const slug = slugOf(req);
      const [source, report] = await Promise.all([ports.content.text(sourceKey(slug)), ports.content.json(pageCheckKey(slug))]);
      if (source === undefined && report === undefined) throw new NotFoundError(`no page ${slug}`, 'slug');
      await ports.content.delete(sourceKey(slug));
      await ports.check(sourceKey(slug));
      return json(200, { slug, deleted: true });
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/pages/{slug}/preview',
    auth: 'admin',
    doc: {
      summary: 'Preview a landing page',
      description: 'Renders the stored page, or the source in the body (checked, not stored), with its form and a sample token. Counts nothing.',
      tags,
      bodyTypes: ['text/plain'],
      body: { type: 'string' },
      responses: { '200': { description: 'The page', contentType: 'text/html' }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const slug = slugOf(req);
      const source = bodyText(req.event);
      let page: CompiledPage | undefined;
      if (source.trim()) {
        const report = await checkPage(`${slug}.liquid`, source, await lookups(ports), ports.now());
        if (!report.ok) throw refused(report);
        page = report.page;
      } else {
        const report = await ports.content.json<PageCheckReport>(pageCheckKey(slug));
        if (!report) throw new NotFoundError(`no page ${slug}`, 'slug');
        if (!report.page) throw refused(report);
        page = report.page;
      }
      return htmlAnswer(await previewPage(page!, ports));
    },
  },
]);

