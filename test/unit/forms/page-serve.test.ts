import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPage } from '../../../functions/forms/domain/page-check.js';
import type { CompiledPage } from '../../../functions/forms/domain/reports.js';
import { checkRenderToken } from '../../../functions/forms/domain/tokens.js';
import { type PagePorts, servePage } from '../../../functions/forms/page-routes.js';
import { snippet } from '../../../tracker/snippet.js';
import { apiEvent, browserUserAgent } from '../../helpers/api-event.js';
import { demoFile, demoForm } from '../../helpers/page-fixtures.js';
import { repoRoot } from '../../helpers/repo.js';

const secret = 's3cret';
const now = new Date('2026-12-07T10:00:00Z');

async function brochurePage(): Promise<CompiledPage> {
  const r = await checkPage('brochure.liquid', demoFile('pages/brochure.liquid'), { layout: async (n) => readFileSync(join(repoRoot, 'templates', 'pages', 'layouts', `${n}.liquid`), 'utf8') });
  return r.page!;
}

function ports(page: CompiledPage | undefined, opts: { withForm?: boolean; traits?: Record<string, unknown> } = {}) {
  const views: string[] = [];
  const p: PagePorts = {
    content: { page: async (slug) => (slug === page?.slug ? page : undefined), form: async (id) => (opts.withForm === false ? undefined : id === 'brochure' ? demoForm('brochure') : undefined) },
    stats: { countView: async (slug, formId, date) => void views.push(`${slug}/${formId}/${date}`) },
    linkSecret: secret,
    publicApiUrl: 'https://api.example.com',
    snippet,
    ...(opts.traits ? { profiles: { linkedProfile: async () => 'p_known', traitsOf: async (id: string) => (id === 'p_known' ? opts.traits : undefined) } } : {}),
    now: () => now,
  };
  return { p, views };
}

const request = (slug: string, headers: Record<string, string> = { 'user-agent': browserUserAgent }) => ({
  event: { ...apiEvent({ method: 'GET', path: `/p/${slug}`, headers }), routeKey: 'GET /p/{slug}' },
  headers,
  params: { slug },
  query: {},
});
const tokenOf = (html: string) => /name="_token" value="([^"]+)"/.exec(html)![1]!;

describe('GET /p/{slug}', () => {
  it('leaves out progressive fields the visitor profile has, and says so in the token', async () => {
    const { p } = ports(await brochurePage(), { traits: { company: 'Acme' } });
    const res = await servePage(request('brochure', { 'user-agent': browserUserAgent, cookie: 'nurture_aid=0b7c1a2e-aaaa-bbbb-cccc-123456789abc' }), p);
    const html = String(res.body);
    expect(html).not.toContain('name="company"');
    expect(html).toContain('name="email"');
    expect(checkRenderToken(secret, tokenOf(html), 'brochure', now)).toMatchObject({ ok: true, claims: { s: ['company'], a: '0b7c1a2e-aaaa-bbbb-cccc-123456789abc' } });
  });

  it('asks every field of a visitor without a cookie, and ignores a cookie that is no anonymous id', async () => {
    const { p } = ports(await brochurePage(), { traits: { company: 'Acme' } });
    const html = String((await servePage(request('brochure', { 'user-agent': browserUserAgent, cookie: 'nurture_aid=<script>' }), p)).body);
    expect(html).toContain('name="company"');
    expect(checkRenderToken(secret, tokenOf(html), 'brochure', now)).toMatchObject({ ok: true, claims: { p: 'brochure' } });
    expect((checkRenderToken(secret, tokenOf(html), 'brochure', now) as { claims: { a?: string } }).claims.a).toBeUndefined();
  });

  it('shows the page without a form while its form is not published, counting the page view only', async () => {
    const { p, views } = ports(await brochurePage(), { withForm: false });
    const res = await servePage(request('brochure'), p);
    expect(res.statusCode).toBe(200);
    expect(String(res.body)).not.toContain('<form');
    expect(String(res.body)).not.toContain('<aside');
    expect(views).toEqual(['brochure/undefined/2026-12-07']);
  });

  it('answers 404 without counting for an unknown slug', async () => {
    const { p, views } = ports(await brochurePage());
    expect((await servePage(request('other'), p)).statusCode).toBe(404);
    expect((await servePage(request('../etc'), p)).statusCode).toBe(404);
    expect(views).toEqual([]);
  });
});
