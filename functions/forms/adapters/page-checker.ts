import { checkPage, pageFile } from '../domain/page-check.js';
import { layoutsPrefix, pageCheckKey, type PageCheckReport, pagesPrefix } from '../domain/reports.js';
import { formCheckKey, type FormCheckReport } from '../domain/reports.js';
import type { S3FormsContent } from './s3-content.js';

/** The content bucket operations the page check uses (S3FormsContent has them). */
export type PageCheckContent = Pick<S3FormsContent, 'text' | 'json' | 'put'>;

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
