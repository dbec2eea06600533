import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPage } from '../../../functions/forms/domain/page-check.js';
import { notFoundHtml, renderPage } from '../../../functions/forms/domain/render-page.js';
import { repoRoot } from '../../helpers/repo.js';

async function compiled(source?: string) {
  const text = source ?? readFileSync(join(repoRoot, 'templates', 'pages', 'brochure.liquid'), 'utf8');
  const report = await checkPage('brochure.liquid', text, { layout: async (n) => readFileSync(join(repoRoot, 'templates', 'pages', 'layouts', `${n}.liquid`), 'utf8') });
  expect(report.errors).toEqual([]);
  return report.page!;
}

describe('landing page render', () => {
  it('writes the head: lang, title, description, canonical, Open Graph and Twitter tags, theme variables', async () => {
    const page = await compiled();
    const html = await renderPage({ page, formHtml: '<form class="nurture-form"></form>', url: 'https://api.example.com/p/brochure', trackerSnippet: '<script>nurture()</script>' });
    expect(html).toMatch(/^<!doctype html>\n<html lang="ja">/);
    expect(html).toContain(`<title>${page.title}</title>`);
    expect(html).toContain(`<meta name="description" content="${page.description}">`);
    expect(html).toContain('<link rel="canonical" href="https://api.example.com/p/brochure">');
    expect(html).toContain(`<meta property="og:title" content="${page.title}">`);
    expect(html).toContain(`<meta property="og:image" content="${page.image}">`);
    expect(html).toContain('<meta property="og:url" content="https://api.example.com/p/brochure">');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(html).toContain(':root{--nurture-page-accent:#0b6e4f}');
    expect(html).toContain('<script>nurture()</script>');
    expect(html).toContain('<form class="nurture-form"></form>');
    expect(html).toContain('データで、営業とマーケティングをひとつに');
  });

  it('escapes what the front matter says, and refuses the raw filter', async () => {
    const page = await compiled('---\nlayout: hero-form\ntitle: "<script>alert(1)</script>"\nhero: { heading: "a & b" }\n---\n<p>{{ page.hero.heading }}</p>\n');
    const html = await renderPage({ page, formHtml: '', url: 'https://x.example/p/brochure' });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<p>a &amp; b</p>');
    const raw = await checkPage('x.liquid', '---\nlayout: hero-form\ntitle: T\n---\n{{ page.title | raw }}\n', { layout: async (n) => readFileSync(join(repoRoot, 'templates', 'pages', 'layouts', `${n}.liquid`), 'utf8') });
    expect(raw.ok).toBe(false);
  });

  it('answers unknown pages with a bilingual not-found page', () => {
    expect(notFoundHtml()).toContain('ページが見つかりません');
    expect(notFoundHtml()).toContain('Page not found');
  });
});
