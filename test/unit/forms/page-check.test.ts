import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPage, type PageCheckLookups } from '../../../functions/forms/domain/page-check.js';
import { repoRoot } from '../../helpers/repo.js';

const layoutsDir = join(repoRoot, 'templates', 'pages', 'layouts');
const lookups: PageCheckLookups = {
  layout: async (name) => {
    try {
      return readFileSync(join(layoutsDir, `${name}.liquid`), 'utf8');
    } catch {
      return undefined;
    }
  },
  formState: async (id) => (id === 'brochure' ? 'ok' : 'missing'),
};
const page = (frontMatter: string, body = '<p>Hello</p>') => `---\n${frontMatter}\n---\n${body}\n`;

describe('landing page check', () => {
  it('compiles the demo brochure page with its layout and front matter', async () => {
    const report = await checkPage('brochure.liquid', readFileSync(join(repoRoot, 'templates', 'pages', 'brochure.liquid'), 'utf8'), lookups);
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.page).toMatchObject({ slug: 'brochure', layout: 'brochure', formId: 'brochure', locale: 'ja' });
    expect(report.page!.layoutSource).toContain('{{ content }}');
  });

  it.each(['hero-form', 'brochure', 'seminar', 'thank-you'])('accepts a minimal page on layout %s', async (layout) => {
    const report = await checkPage('x.liquid', page(`layout: ${layout}\ntitle: T`), lookups);
    expect(report.errors).toEqual([]);
  });

  it('names a misspelt front matter key at its line with the key meant', async () => {
    const report = await checkPage('x.liquid', page('layout: brochure\ntitle: T\nimag: https://example.com/a.png'), lookups);
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ field: 'imag', line: 4, suggestion: 'image' })]);
    expect(report.page).toBeUndefined();
  });

  it('refuses an image that is not https, at its line', async () => {
    const report = await checkPage('x.liquid', page('layout: brochure\ntitle: T\nimage: http://example.com/a.png'), lookups);
    expect(report.errors).toEqual([expect.objectContaining({ field: 'image', line: 4 })]);
  });

  it('reports a Liquid syntax error at its line in the file', async () => {
    const report = await checkPage('x.liquid', page('layout: brochure\ntitle: T', '<p>one</p>\n{% if x %}\n<p>two</p>'), lookups);
    expect(report.errors).toEqual([expect.objectContaining({ field: 'body', line: 6 })]);
  });

  it('reports an undefined variable of the body at its line (strict preview)', async () => {
    const report = await checkPage('x.liquid', page('layout: brochure\ntitle: T', '<p>ok</p>\n<p>{{ page.titel }}</p>'), lookups);
    expect(report.errors).toEqual([expect.objectContaining({ field: 'body', line: 6, message: expect.stringContaining('page.titel') })]);
  });

  it('refuses an unknown layout naming its file', async () => {
    const report = await checkPage('x.liquid', page('layout: nope\ntitle: T'), lookups);
    expect(report.errors).toEqual([expect.objectContaining({ field: 'layout', line: 2, message: expect.stringContaining('pages/layouts/nope.liquid') })]);
  });

  it('refuses a layout without the content slot', async () => {
    const report = await checkPage('x.liquid', page('layout: bare\ntitle: T'), { layout: async () => '<html lang="en"><head>{{ head }}</head><body></body></html>' });
    expect(report.errors).toEqual([expect.objectContaining({ field: 'layout', message: expect.stringContaining('{{ content }}') })]);
  });

  it('warns (and still compiles) when the form is not published yet', async () => {
    const report = await checkPage('x.liquid', page('layout: hero-form\ntitle: T\nform: later'), lookups);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([expect.objectContaining({ field: 'form', line: 4 })]);
  });

  it('refuses a file without front matter and a bad file name', async () => {
    expect((await checkPage('x.liquid', '<p>no front matter</p>', lookups)).errors).toEqual([expect.objectContaining({ line: 1 })]);
    expect((await checkPage('Bad Name.liquid', page('layout: brochure\ntitle: T'), lookups)).ok).toBe(false);
  });
});
