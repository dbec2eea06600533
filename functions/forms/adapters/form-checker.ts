import { checkForm, formFile, formSourceKeys, isFormKey } from '../domain/form-check.js';
import { formCheckKey, type FormCheckReport, formsPrefix } from '../domain/reports.js';
import type { S3FormsContent } from './s3-content.js';

export { formSourceKeys, isFormKey };

type Content = Pick<S3FormsContent, 'text' | 'put' | 'json'>;

/**
 * Checks the definition at `key` and writes its report beside it (`forms/<id>.check.json`), what the
 * public functions serve. Idempotent: a replayed event re-checks the current object.
 *
 * - The key's own source, or else another source of the same id (`brochure.yml` deleted while
 *   `brochure.yaml` is there: that one stays in force).
 * - No source left: a failing report "was deleted", so the form stops being served; when there is no
 *   report either (the admin API deleted both), nothing is written.
 */
export async function checkStoredForm(content: Content, key: string, now = new Date()): Promise<FormCheckReport | undefined> {
  if (!isFormKey(key)) return undefined;
  const formId = formFile.exec(key.slice(formsPrefix.length))![1]!;
  for (const candidate of [key, ...formSourceKeys(formId).filter((k) => k !== key)]) {
    const text = await content.text(candidate);
    if (text === undefined) continue;
    const report = checkForm(candidate.slice(formsPrefix.length), text, now);
    await content.put(formCheckKey(formId), JSON.stringify(report), 'application/json');
    return report;
  }
  if ((await content.json<FormCheckReport>(formCheckKey(formId))) === undefined) return undefined;
  const report: FormCheckReport = {
    formId,
    source: key.slice(formsPrefix.length),
    ok: false,
    checkedAt: now.toISOString(),
    errors: [{ field: '(file)', message: `${key} was deleted` }],
    warnings: [],
  };
  await content.put(formCheckKey(formId), JSON.stringify(report), 'application/json');
  return report;
}
