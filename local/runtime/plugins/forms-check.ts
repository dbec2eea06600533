import type { LocalContext } from '../context.js';
import { describeProblem } from '../../../functions/shared/problems.js';
import { runAs } from '../../iam/index.js';

/** How often local mode looks for form definition uploads and deletions (the local S3 sends no events). */
export const formsWatchMs = 2_000;

/**
 * Form definitions in local mode: the check at start and on every upload or deletion under forms/ (what
 * the S3 notification does on AWS), run as the formsCheck role; reports land beside each definition as
 * `forms/<id>.check.json` and behind `GET /v1/admin/forms/{id}`.
 */
export async function formsCheckPlugin(ctx: LocalContext): Promise<void> {
  const { S3FormsContent } = await import('../../../functions/forms/adapters/s3-content.js');
  const { checkStoredForm, isFormKey } = await import('../../../functions/forms/adapters/form-checker.js');
  const { formsPrefix } = await import('../../../functions/forms/domain/reports.js');
  const { s3Client } = await import('../../../functions/shared/aws/s3.js');

  const content = new S3FormsContent(s3Client(), ctx.env.CONTENT_BUCKET!, 0);
  const seen = new Map<string, string>();
  const checkChanged = async (announce: boolean) => {
    const objects = (await content.list(formsPrefix)).filter((o) => isFormKey(o.key));
    const present = new Map(objects.map((o) => [o.key, o.etag]));
    const changed = objects.filter((o) => seen.get(o.key) !== o.etag).map((o) => o.key);
    const deleted = [...seen.keys()].filter((k) => !present.has(k));
    for (const key of [...changed, ...deleted]) {
      const report = await runAs('formsCheck', () => checkStoredForm(content, key));
      if (present.has(key)) seen.set(key, present.get(key)!);
      else seen.delete(key);
      if (report && (!report.ok || announce)) {
        const detail = report.ok ? 'ok' : report.errors.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.field}: ${describeProblem(e)}`).join('; ');
        console.log(`[forms] ${key}: ${detail}`);
      }
    }
  };
  await checkChanged(false);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    checkChanged(true)
      .catch((err) => console.error('[forms] check failed:', err))
      .finally(() => {
        running = false;
      });
  }, formsWatchMs);
  ctx.onStop(async () => clearInterval(timer));
}
