import type { LocalContext } from '../context.js';
import { repeatEvery } from '../repeat.js';
import { describeProblem } from '../../../functions/shared/problems.js';
import { runAs } from '../../iam/index.js';

/** How often local mode looks for form and landing page uploads and deletions (the local S3 sends no events). */
export const formsWatchMs = 2_000;

/**
 * Form definitions and landing pages in local mode: the check at start and on every upload or deletion
 * under forms/ and pages/ (what the S3 notification does on AWS), run as the formsCheck role; reports land
 * beside each source (`forms/<id>.check.json`, `pages/<slug>.check.json`) and behind the admin routes.
 * Forms are checked before pages, so a page's check sees its form published.
 */
export async function formsCheckPlugin(ctx: LocalContext): Promise<void> {
  const { S3FormsContent } = await import('../../../functions/forms/adapters/s3-content.js');
  const { checkStoredForm, isFormKey } = await import('../../../functions/forms/adapters/form-checker.js');
  const { checkStoredPageKey } = await import('../../../functions/forms/adapters/page-checker.js');
  const { formsPrefix, pagesPrefix } = await import('../../../functions/forms/domain/reports.js');
  const { s3Client } = await import('../../../functions/shared/aws/s3.js');

  const content = new S3FormsContent(s3Client(), ctx.env.CONTENT_BUCKET!, 0);
  const seen = new Map<string, string>();
  const checkChanged = async (announce: boolean) => {
    const isPageKey = (key: string) => key.startsWith(pagesPrefix) && key.endsWith('.liquid');
    const objects = [...(await content.list(formsPrefix)).filter((o) => isFormKey(o.key)), ...(await content.list(pagesPrefix)).filter((o) => isPageKey(o.key))];
    const present = new Map(objects.map((o) => [o.key, o.etag]));
    const changed = objects.filter((o) => seen.get(o.key) !== o.etag).map((o) => o.key);
    const deleted = [...seen.keys()].filter((k) => !present.has(k));
    for (const key of [...changed, ...deleted]) {
      const reports = await runAs('formsCheck', async () => (isFormKey(key) ? [await checkStoredForm(content, key)] : await checkStoredPageKey(content, key)));
      if (present.has(key)) seen.set(key, present.get(key)!);
      else seen.delete(key);
      for (const report of reports) {
        if (!report || (report.ok && !announce)) continue;
        const detail = report.ok ? 'ok' : report.errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.field}: ${describeProblem(e)}`).join('; ');
        console.log(`[forms] ${'formId' in report ? key : `pages/${report.source}`}: ${detail}`);
      }
    }
  };
  await checkChanged(false);
  repeatEvery(ctx, formsWatchMs, 'forms check', () => checkChanged(true));
}
