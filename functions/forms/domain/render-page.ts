/**
 * Landing page rendering: the page body (Liquid) inside its layout (Liquid), with the form as
 * server-rendered HTML, head tags (title, description, canonical, Open Graph, Twitter, theme variables)
 * and the tracker snippet. Liquid runs as for mail templates (functions/sending/domain/template.ts):
 * strict variables and filters, no file system, every output HTML-escaped except the HTML Nurture
 * itself builds (the form, the body inside the layout, the head). Pure.
 */
import { Liquid, type Template } from 'liquidjs';
import { noFileSystem } from '../../shared/liquid-sandbox.js';
import { esc, formClass } from './form-html.js';
import type { CompiledPage } from './reports.js';

/** Resource limits of one page render (liquidjs' guards), as for mail templates. */
export const pageRenderLimits = { parseChars: 512 * 1024, renderMs: 1_000, memory: 10_000_000 } as const;

/** HTML Nurture built: output as is (everything else a template outputs is escaped). */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

const escapeOutput = (v: unknown): string => (v instanceof SafeHtml ? v.html : esc(v === null || v === undefined ? '' : String(v)));


const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  fs: noFileSystem('pages'),
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  dynamicPartials: false,
  parseLimit: pageRenderLimits.parseChars,
  renderLimit: pageRenderLimits.renderMs,
  memoryLimit: pageRenderLimits.memory,
  outputEscape: escapeOutput,
});
engine.registerFilter('raw', () => {
  throw new Error('the raw filter is not allowed: outputs are always HTML-escaped');
});

const parsedCacheSize = 100;
const parsed = new Map<string, Template[]>();

/** Parses Liquid (cached by source): throws liquidjs' error with `line:N, col:M`. */
export function parsePageLiquid(source: string): Template[] {
  const hit = parsed.get(source);
  if (hit) return hit;
  const tpl = engine.parse(source);
  if (parsed.size >= parsedCacheSize) parsed.delete(parsed.keys().next().value!);
  parsed.set(source, tpl);
  return tpl;
}

/** What a rendering needs besides the page. */
export interface PageRenderInput {
  page: CompiledPage;
  /** The form's HTML (form-html.ts), or '' for a page without a form. */
  formHtml: string;
  /** Absolute URL of the page (canonical, og:url). */
  url: string;
  /** The tracker snippet (tracker/snippet.ts), when the deployment serves the tracker. */
  trackerSnippet?: string;
  /** Inline scripts placed before </body> by the layout's `{{ scripts }}` (the form enhancer). */
  scripts?: string;
}

/** A CSS color as theme variables accept it: #rgb/#rrggbb(aa), or rgb()/hsl() with digits, %, commas, dots and spaces. */
export const themeColorPattern = /^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9., %/]{1,40}\))$/;
/** Theme keys (front matter `theme`) and the CSS variables they set. */
export const themeVariables = {
  accent: '--nurture-page-accent',
  background: '--nurture-page-background',
  text: '--nurture-page-text',
  formBackground: '--nurture-form-background',
  formAccent: '--nurture-form-accent',
} as const;

function headHtml(input: PageRenderInput): string {
  const p = input.page;
  const meta = (attr: 'name' | 'property', key: string, value?: string) => (value ? `<meta ${attr}="${key}" content="${esc(value)}">` : '');
  const theme = (p.data?.theme ?? {}) as Record<string, string | null>;
  const vars = Object.entries(themeVariables)
    .filter(([k]) => typeof theme[k] === 'string' && themeColorPattern.test(theme[k]!))
    .map(([k, v]) => `${v}:${theme[k]}`)
    .join(';');
  return [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(p.title)}</title>`,
    meta('name', 'description', p.description),
    `<link rel="canonical" href="${esc(input.url)}">`,
    meta('property', 'og:type', 'website'),
    meta('property', 'og:title', p.title),
    meta('property', 'og:description', p.description),
    meta('property', 'og:url', input.url),
    meta('property', 'og:image', p.image),
    meta('property', 'og:locale', p.locale === 'ja' ? 'ja_JP' : 'en_US'),
    meta('name', 'twitter:card', p.image ? 'summary_large_image' : 'summary'),
    meta('name', 'twitter:title', p.title),
    meta('name', 'twitter:description', p.description),
    meta('name', 'twitter:image', p.image),
    // html:root outranks the layouts' own :root defaults, wherever the layout puts {{ head }}.
    vars ? `<style>html:root{${vars}}</style>` : '',
    input.trackerSnippet ?? '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The variables the body sees: `page` (front matter, free fields included) and `form`. */
export function pageScope(page: CompiledPage, formHtml: string, url: string): Record<string, unknown> {
  return {
    page: { slug: page.slug, title: page.title, description: page.description ?? null, image: page.image ?? null, locale: page.locale, layout: page.layout, form: page.formId ?? null, url, ...page.data },
    form: new SafeHtml(formHtml),
  };
}

/** The whole document. Throws liquidjs' errors (the check renders once, so a served page does not). */
export async function renderPage(input: PageRenderInput): Promise<string> {
  const scope = pageScope(input.page, input.formHtml, input.url);
  const body = await engine.render(parsePageLiquid(input.page.body), scope);
  return engine.render(parsePageLiquid(input.page.layoutSource), {
    ...scope,
    content: new SafeHtml(body),
    head: new SafeHtml(headHtml(input)),
    scripts: new SafeHtml(input.scripts ?? ''),
  });
}

const notFoundText = {
  ja: { title: 'ページが見つかりません', text: 'お探しのページは存在しないか、公開が終了しました。' },
  en: { title: 'Page not found', text: 'The page you are looking for does not exist or is no longer published.' },
} as const;

/** The 404 page of an unknown (or unpublished) slug, in both languages. */
export function notFoundHtml(): string {
  const { ja, en } = notFoundText;
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${ja.title} / ${en.title}</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><main><h1>${ja.title}</h1><p>${ja.text}</p><h2 lang="en">${en.title}</h2><p lang="en">${en.text}</p></main></body></html>`;
}

/** What previews and the check put where the form goes when the page's form is not given. */
export const placeholderFormHtml = (formId: string) => `<form class="${formClass}" data-nurture-form-id="${esc(formId)}" aria-label="preview"><p>[form ${esc(formId)}]</p></form>`;
