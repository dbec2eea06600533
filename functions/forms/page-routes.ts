/**
 * The public landing page route `GET /p/{slug}`: the checked page in its layout with its form rendered
 * server-side (a plain form post that works without JavaScript, enhanced by an inline script), a render
 * token bound to the visitor's anonymous id, and the tracker snippet. Served by the `forms` function
 * (the entry public.ts composes these routes with the submit routes).
 *
 * Why the API's Lambda and not a CDN: every answer carries a per-visitor token (nonce, anonymous id,
 * issue time), so no answer may be cached by a shared cache; a cached page would hand one visitor's
 * token to the next. Cost: $1.00 per million HTTP API requests plus one short Lambda invocation.
 */
import { isbot } from 'isbot';
import { anonymousProfileId } from '../identity/domain/keys.js';
import type { FormDefinition } from './domain/definition.js';
import { enhanceScript } from './domain/form-enhance.js';
import { formHtml } from './domain/form-html.js';
import { submissionIdPattern } from './domain/model.js';
import { slugPattern } from './domain/page-check.js';
import { progressiveSkips, publicForm, utmInputs } from './domain/public-form.js';
import { notFoundHtml, renderPage } from './domain/render-page.js';
import type { CompiledPage } from './domain/reports.js';
import { issueRenderToken } from './domain/tokens.js';
import { type HttpRequest, type HttpResult, routesOf } from '../shared/http.js';

/** What the page route needs, wired once at module load (adapters/page-ports.ts). */
export interface PagePorts {
  content: { page(slug: string): Promise<CompiledPage | undefined>; form(formId: string): Promise<FormDefinition | undefined> };
  stats: { countView(slug: string, formId: string | undefined, date: string): Promise<void> };
  /** The link secret (HMAC of render tokens). */
  linkSecret: string;
  /** Base URL of the API (form action, canonical URL), without a trailing slash. */
  publicApiUrl: string;
  /** The tracker snippet's write key and script URL; without it pages carry no tracker. */
  tracker?: { writeKey: string; src: string; cookieDomain?: string };
  snippet(opts: { api: string; writeKey: string; src: string; cookieDomain?: string }): string;
  /**
   * Progressive profiling, when wired (the submit path's reads: the profile an anonymous id is linked to,
   * and its traits): `progressive` fields whose trait the visitor's profile has are left out.
   */
  profiles?: {
    linkedProfile(anonymousId: string): Promise<string | undefined>;
    traitsOf(profileId: string): Promise<Record<string, unknown> | undefined>;
  };
  now(): Date;
}

/** Fields to leave out for this visitor (progressive profiling), or none when not wired or unknown. */
async function skipsFor(def: FormDefinition, aid: string | undefined, ports: PagePorts): Promise<Set<string>> {
  if (!aid || !ports.profiles || !def.fields.some((f) => f.progressive)) return new Set();
  const profileId = (await ports.profiles.linkedProfile(aid)) ?? anonymousProfileId(aid);
  const traits = await ports.profiles.traitsOf(profileId);
  return traits ? progressiveSkips(def, traits) : new Set();
}

/** Longest `_url`, `_ref` and utm value a page embeds (characters); longer ones are cut. */
export const pageInputLimits = { url: 500, ref: 500, utm: 200 } as const;

const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    // The page carries a per-visitor token: never stored by a shared cache or the browser's back cache.
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  },
  body,
});

/** The `nurture_aid` cookie (the tracker's anonymous id), when it has the shape of one. */
export function anonymousIdOf(req: Pick<HttpRequest, 'event' | 'headers'>): string | undefined {
  const parts = [...(req.event.cookies ?? []), ...(req.headers.cookie ?? '').split(';')];
  for (const part of parts) {
    const [k, ...v] = part.trim().split('=');
    if (k !== 'nurture_aid') continue;
    let value = v.join('=');
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (submissionIdPattern.test(value)) return value;
  }
  return undefined;
}

/** The page for one request: its form (when published) with fresh hidden inputs, and the tracker. */
export async function servePage(req: HttpRequest, ports: PagePorts): Promise<HttpResult> {
  const slug = req.params.slug ?? '';
  const page = slugPattern.test(slug) ? await ports.content.page(slug) : undefined;
  if (!page) return html(404, notFoundHtml());
  const now = ports.now();
  const def = page.formId ? await ports.content.form(page.formId) : undefined;
  const url = `${ports.publicApiUrl}/p/${slug}`;
  const query = req.event.rawQueryString ? `?${req.event.rawQueryString}` : '';
  let form = '';
  if (def) {
    const aid = anonymousIdOf(req);
    const utm = Object.fromEntries(utmInputs.filter((k) => req.query[k]).map((k) => [k, req.query[k]!.slice(0, pageInputLimits.utm)]));
    const skip = await skipsFor(def, aid, ports);
    form = formHtml(publicForm(def, page.locale, skip), {
      action: `${ports.publicApiUrl}/v1/forms/${encodeURIComponent(def.id)}/submit`,
      hidden: {
        token: issueRenderToken(ports.linkSecret, { f: def.id, p: slug, ...(aid ? { a: aid } : {}), ...(skip.size > 0 ? { s: [...skip] } : {}) }, now),
        page: slug,
        url: (url + query).slice(0, pageInputLimits.url),
        ...(req.headers.referer ? { ref: req.headers.referer.slice(0, pageInputLimits.ref) } : {}),
        utm,
      },
    });
  }
  const body = await renderPage({
    // A page whose form is missing or failing shows no form (its check report warned).
    page: def ? page : { ...page, formId: undefined },
    formHtml: form,
    url,
    ...(ports.tracker ? { trackerSnippet: ports.snippet({ api: ports.publicApiUrl, ...ports.tracker }) } : {}),
    scripts: form ? `<script>${enhanceScript}</script>` : '',
  });
  // No User-Agent at all is a script too.
  const ua = req.headers['user-agent'] ?? '';
  if (ua && !isbot(ua)) await ports.stats.countView(slug, def?.id, now.toISOString().slice(0, 10));
  return html(200, body);
}

/** The public landing page routes (function `forms`). */
export const pageRoutes = routesOf<PagePorts>('forms', [
  {
    method: 'GET',
    path: '/p/{slug}',
    doc: {
      summary: 'A landing page',
      description:
        'The page `pages/<slug>.liquid` as its check compiled it, in its layout, with its form rendered as HTML (posts to `/v1/forms/{id}/submit` without JavaScript) ' +
        'and a render token bound to the `nurture_aid` cookie. Counts a view (not for bots). `Cache-Control: private, no-store`: every answer carries a per-visitor token.',
      tags: ['forms'],
      responses: {
        '200': { description: 'The page', contentType: 'text/html' },
        '404': { description: 'No published page of that slug (an HTML page)', contentType: 'text/html' },
      },
    },
    handle: servePage,
  },
]);
