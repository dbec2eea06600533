/** Fixtures of landing page tests: the demo forms and pages of templates/, read from the repository. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { FormDefinition } from '../../functions/forms/domain/definition.js';
import type { FormCheckReport } from '../../functions/forms/domain/reports.js';
import { repoRoot } from './repo.js';

export const demoFile = (rel: string) => readFileSync(join(repoRoot, 'templates', rel), 'utf8');

/** A demo form (templates/forms/<id>.yaml) as its check keeps it (defaults filled). */
export function demoForm(id: 'brochure' | 'contact'): FormDefinition {
  const raw = parse(demoFile(`forms/${id}.yaml`));
  return { ...raw, id, locale: raw.locale ?? 'ja', consents: raw.consents ?? [], submit: raw.submit ?? {}, version: 'v1' };
}

/** The passing check report of a demo form (what the forms check writes to forms/<id>.check.json). */
export const demoFormReport = (id: 'brochure' | 'contact'): FormCheckReport => ({
  formId: id,
  source: `${id}.yaml`,
  ok: true,
  checkedAt: new Date().toISOString(),
  errors: [],
  warnings: [],
  form: demoForm(id),
});
