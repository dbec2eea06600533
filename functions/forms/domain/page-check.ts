/**
 * The landing page check: what runs when a marketer uploads `pages/<slug>.liquid` (and on
 * `PUT /v1/admin/pages/{slug}`). It reads the front matter (every problem at its line), parses the body
 * and its layout, renders a preview with strict variables, and returns the report whose `page` is what
 * `GET /p/{slug}` serves. Pure: the layout and the form's state come through the `lookups` port.
 *
 * ```liquid
 * ---
 * layout: brochure
 * title: Acme Analytics 製品資料
 * description: 3分でわかる Acme Analytics
 * image: https://example.com/og.png
 * form: brochure
 * locale: ja
 * hero: { heading: データで営業を変える, points: [導入事例, 料金] }
 * theme: { accent: "#0b6e4f" }
 * ---
 * <p>{{ page.hero.heading }}</p>
 * ```
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { checkSchema, type Problem, readYaml, sortProblems } from '../../shared/validation.js';
import { formIdPattern, locales } from './definition.js';
import type { CompiledPage, PageCheckReport } from './reports.js';
import { parsePageLiquid, placeholderFormHtml, renderPage, themeColorPattern, themeVariables } from './render-page.js';

/** Bounds of a landing page (named in the README). */
export const pageLimits = {
  /** Largest page source, and largest layout (bytes). */
  sourceBytes: 256 * 1024,
  layoutBytes: 128 * 1024,
  titleChars: 120,
  descriptionChars: 300,
  /** Bullet points in `hero.points`. */
  points: 12,
  textChars: 500,
} as const;

/** Page file names `pages/<slug>.liquid`; the slug is the path `/p/<slug>`. */
export const pageFile = /^([a-z0-9][a-z0-9_-]{0,63})\.liquid$/;
export const slugPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const layoutNamePattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

const frontMatterSchema = z.strictObject({
  layout: z.string().check(z.regex(layoutNamePattern, 'layout names are 1-64 chars of a-z, 0-9, _ and -')),
  title: text(pageLimits.titleChars),
  description: z.optional(text(pageLimits.descriptionChars)),
  image: z.optional(z.string().check(z.regex(/^https:\/\/[^\s"'<>]{1,1000}$/, 'an absolute https:// URL'))),
  form: z.optional(z.string().check(z.regex(formIdPattern, 'form ids are 1-64 chars of a-z, 0-9, _ and -'))),
  locale: z.optional(z.enum(locales)),
  /** Copy the layouts show (hero-form, brochure, seminar): all optional. */
  hero: z.optional(
    z.strictObject({
      eyebrow: z.optional(text(pageLimits.textChars)),
      heading: z.optional(text(pageLimits.textChars)),
      subheading: z.optional(text(pageLimits.textChars)),
      points: z.optional(z.array(text(pageLimits.textChars)).check(z.maxLength(pageLimits.points))),
      /** Seminar layout: when and where. */
      date: z.optional(text(pageLimits.textChars)),
      venue: z.optional(text(pageLimits.textChars)),
    }),
  ),
  /** Colors set as CSS variables (render-page.ts themeVariables). */
  theme: z.optional(
    z.strictObject(
      Object.fromEntries(Object.keys(themeVariables).map((k) => [k, z.optional(z.string().check(z.regex(themeColorPattern, 'a CSS color: #hex, rgb() or hsl()')))])) as Record<
        keyof typeof themeVariables,
        z.ZodMiniOptional<z.ZodMiniString>
      >,
    ),
  ),
});
export type PageFrontMatter = z.infer<typeof frontMatterSchema>;

/** What the check looks up: a layout's source, and whether the named form is published. */
export interface PageCheckLookups {
  layout(name: string): Promise<string | undefined>;
  /** `ok` (passed its check), `failing` (its report says why), `missing`. */
  formState?(formId: string): Promise<'ok' | 'failing' | 'missing'>;
}

/** Splits `---\n<yaml>\n---\n<body>`; bodyLine is the 1-based line where the body starts. */
export function splitFrontMatter(source: string): { yaml: string; body: string; bodyLine: number } | undefined {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!m) return undefined;
  return { yaml: m[1]!, body: source.slice(m[0].length), bodyLine: m[0].split('\n').length };
}

/** A liquidjs error as a problem at its line in the file (`lineOffset` lines before the Liquid text). */
function liquidProblem(err: unknown, field: string, lineOffset: number, prefix = ''): Problem {
  const first = ((err as Error).message ?? String(err)).split('\n')[0]!;
  const pos = /,? ?line:(\d+), col:(\d+)/.exec(first);
  const message = prefix + first.replace(/,? ?line:\d+, col:\d+/, '').trim();
  return pos ? { field, line: Number(pos[1]) + lineOffset, column: Number(pos[2]), message } : { field, message };
}

const nullish = <T extends object>(keys: readonly string[], value: T | undefined) => ({ ...Object.fromEntries(keys.map((k) => [k, null])), ...value });

/** Checks one page source (`name` like `brochure.liquid`). */
export async function checkPage(name: string, source: string, lookups: PageCheckLookups, now = new Date()): Promise<PageCheckReport> {
  const file = pageFile.exec(name);
  const slug = file?.[1] ?? name.replace(/\.[^.]*$/, '');
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const report = (page?: CompiledPage): PageCheckReport => ({
    slug,
    source: name,
    ok: errors.length === 0,
    checkedAt: now.toISOString(),
    errors: sortProblems(errors),
    warnings: sortProblems(warnings),
    ...(errors.length === 0 && page ? { page } : {}),
  });
  if (!file) {
    errors.push({ field: '(file)', message: `file name must be <slug>.liquid with a slug of a-z, 0-9, _ and - (got ${name})` });
    return report();
  }
  if (Buffer.byteLength(source) > pageLimits.sourceBytes) {
    errors.push({ field: '(file)', message: `page is larger than ${pageLimits.sourceBytes / 1024} KB` });
    return report();
  }
  const parts = splitFrontMatter(source);
  if (!parts) {
    errors.push({ field: '(file)', line: 1, message: 'front matter missing: the file must start with a --- line, YAML fields (layout, title, …), and another --- line' });
    return report();
  }
  const read = readYaml(parts.yaml, 1);
  errors.push(...read.problems);
  const fm = read.problems.length === 0 ? checkSchema(frontMatterSchema, read.value ?? {}, read.yaml) : { problems: [] };
  errors.push(...fm.problems);
  try {
    parsePageLiquid(parts.body);
  } catch (err) {
    errors.push(liquidProblem(err, 'body', parts.bodyLine - 1));
  }
  const data = 'data' in fm ? fm.data : undefined;
  if (!data) return report();

  const layoutSource = await lookups.layout(data.layout);
  if (layoutSource === undefined) {
    errors.push({ field: 'layout', line: lineOf(parts.yaml, 'layout'), message: `no layout "${data.layout}" (pages/layouts/${data.layout}.liquid)` });
  } else if (Buffer.byteLength(layoutSource) > pageLimits.layoutBytes) {
    errors.push({ field: 'layout', message: `layout ${data.layout} is larger than ${pageLimits.layoutBytes / 1024} KB` });
  } else {
    try {
      parsePageLiquid(layoutSource);
      for (const slot of ['head', 'content']) {
        if (!new RegExp(`\\{\\{-?\\s*${slot}\\s*-?\\}\\}`).test(layoutSource)) errors.push({ field: 'layout', message: `layout ${data.layout} has no {{ ${slot} }}` });
      }
      if (!/<html[^>]*\slang=/.test(layoutSource)) warnings.push({ field: 'layout', message: `layout ${data.layout} sets no <html lang>` });
    } catch (err) {
      errors.push(liquidProblem(err, 'layout', 0, `in pages/layouts/${data.layout}.liquid: `));
    }
  }
  if (data.form && lookups.formState) {
    const state = await lookups.formState(data.form);
    if (state !== 'ok') {
      warnings.push({
        field: 'form',
        line: lineOf(parts.yaml, 'form'),
        message: state === 'missing' ? `no form "${data.form}" yet (forms/${data.form}.yaml): the page shows no form until it exists` : `form "${data.form}" fails its check (forms/${data.form}.check.json): the page shows no form until it passes`,
      });
    }
  }
  if (errors.length > 0 || layoutSource === undefined) return report();

  const page: CompiledPage = {
    slug,
    layout: data.layout,
    title: data.title,
    ...(data.description ? { description: data.description } : {}),
    ...(data.image ? { image: data.image } : {}),
    ...(data.form ? { formId: data.form } : {}),
    locale: data.locale ?? 'ja',
    data: {
      hero: { ...nullish(['eyebrow', 'heading', 'subheading', 'date', 'venue'], data.hero), points: data.hero?.points ?? [] },
      theme: nullish(Object.keys(themeVariables), data.theme),
    },
    body: parts.body,
    layoutSource,
    version: createHash('sha256').update(source).update('\0').update(layoutSource).digest('base64url').slice(0, 22),
  };
  // The preview: strict variables catch a misspelt `{{ page.titel }}` in the body or the layout.
  try {
    await renderPage({ page, formHtml: page.formId ? placeholderFormHtml(page.formId) : '', url: `https://nurture.invalid/p/${slug}` });
  } catch (err) {
    const inBody = (err as Error).message && parsedBy(page.body, err);
    errors.push(inBody ? liquidProblem(err, 'body', parts.bodyLine - 1) : liquidProblem(err, 'layout', 0, `in pages/layouts/${page.layout}.liquid: `));
  }
  return report(page);
}

/** Whether a render error came from this source (liquidjs names the token's text in its message). */
function parsedBy(source: string, err: unknown): boolean {
  const token = (err as { token?: { input?: string } }).token;
  return token?.input === undefined ? false : token.input === source;
}

/** The line in the file of a top-level front matter key (front matter starts on line 2). */
function lineOf(yaml: string, key: string): number | undefined {
  const i = yaml.split('\n').findIndex((l) => l.startsWith(`${key}:`));
  return i < 0 ? undefined : i + 2;
}
