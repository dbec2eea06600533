import { checkPage, pageFile } from '../domain/page-check.js';
import { formCheckKey, type FormCheckReport, layoutsPrefix, pageCheckKey, type PageCheckReport, pagesPrefix } from '../domain/reports.js';
import type { S3FormsContent } from './s3-content.js';

/** The content bucket operations the page check uses (S3FormsContent has them). */
export type PageCheckContent = Pick<S3FormsContent, 'text' | 'json' | 'put' | 'list'>;

/**
 * Checks the stored source `pages/<slug>.liquid` against its layout under pages/layouts/ and the state of
 * its form, and writes the report to `pages/<slug>.check.json` (what `GET /p/{slug}` serves). A deleted
 * source gets a failing report, so the page stops being served. Replaying the same key writes the same
 * verdict (idempotent).
 */
export async function checkStoredPage(content: PageCheckContent, key: string, now = new Date()): Promise<PageCheckReport> {
  const name = key.slice(pagesPrefix.length);
  const slug = pageFile.exec(name)?.[1] ?? name.replace(/\.[^.]*$/, '');
  const source = await content.text(key);
  const report: PageCheckReport =
    source === undefined
      ? { slug, source: name, ok: false, checkedAt: now.toISOString(), errors: [{ field: '(file)', message: `${key} was deleted: the page is no longer served` }], warnings: [] }
      : await checkPage(name, source, {
          layout: (layout) => content.text(`${layoutsPrefix}${layout}.liquid`),
          formState: async (formId) => {
            const r = await content.json<FormCheckReport>(formCheckKey(formId));
            return r === undefined ? 'missing' : r.ok ? 'ok' : 'failing';
          },
        }, now);
  await content.put(pageCheckKey(slug), JSON.stringify(report, null, 2), 'application/json');
  return report;
}

/** Whether a content bucket key is a landing page source (`pages/<slug>.liquid`, not a layout). */
export const isPageSourceKey = (key: string) => key.startsWith(pagesPrefix) && !key.startsWith(layoutsPrefix) && pageFile.test(key.slice(pagesPrefix.length));

/**
 * What an upload (or deletion) of `key` under pages/ calls for: a page source is checked; a layout
 * re-checks every page whose report names it (a compiled page holds its layout's text, so an edited
 * layout reaches pages only through their check, and a deleted one unpublishes them). Other keys
 * (reports included: the check's own writes must not trigger it) are ignored. Returns the reports written.
 */
export async function checkStoredPageKey(content: PageCheckContent, key: string, now = new Date()): Promise<PageCheckReport[]> {
  if (isPageSourceKey(key)) return [await checkStoredPage(content, key, now)];
  const layout = key.startsWith(layoutsPrefix) ? /^([a-z0-9][a-z0-9_-]{0,63})\.liquid$/.exec(key.slice(layoutsPrefix.length))?.[1] : undefined;
  if (!layout) return [];
  const reports = (await content.list(pagesPrefix)).map((o) => o.key).filter((k) => !k.startsWith(layoutsPrefix) && k.endsWith('.check.json'));
  const out: PageCheckReport[] = [];
  for (const reportKey of reports) {
    const r = await content.json<PageCheckReport>(reportKey);
    const usesLayout = r?.page?.layout === layout || (r && !r.ok && r.errors.some((e) => e.field === 'layout'));
    if (r && usesLayout) out.push(await checkStoredPage(content, `${pagesPrefix}${r.source}`, now));
  }
  return out;
}
