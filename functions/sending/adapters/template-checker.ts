import { type CheckReport, checkTemplate, templateFile } from '../domain/check.js';
import { compileMjml } from './mjml.js';
import { type S3TemplateStore, templatePrefix } from './s3-templates.js';

/** True for keys the check handles: `templates/<id>.liquid|mjml` directly under the prefix. */
export function isTemplateKey(key: string): boolean {
  return key.startsWith(templatePrefix) && templateFile.test(key.slice(templatePrefix.length));
}

/**
 * Checks the template at `key` in the bucket and writes its report beside it (`templates/<id>.check.json`).
 * A deleted source gets a failing report, so sends of it stop with a clear error.
 */
export async function checkStoredTemplate(store: S3TemplateStore, key: string, now = new Date()): Promise<CheckReport | undefined> {
  if (!isTemplateKey(key)) return undefined;
  const name = key.slice(templatePrefix.length);
  const source = await store.source(key);
  const report: CheckReport = source
    ? await checkTemplate(name, source.text, { compileMjml, now })
    : {
        templateId: templateFile.exec(name)![1]!,
        source: name,
        ok: false,
        checkedAt: now.toISOString(),
        errors: [{ message: `${key} was deleted` }],
        warnings: [],
      };
  await store.putReport(report);
  return report;
}
