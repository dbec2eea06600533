/**
 * The form definition check: what runs when a definition is uploaded to `forms/` (S3 event on AWS, the
 * watcher locally), on `PUT /v1/admin/forms/{id}` and in `nurture forms validate`. Syntax and schema first
 * (every problem at its line), then the rules a schema cannot say, each naming its field (`fields[2].name`).
 * Pure: the YAML parser, zod and a hash, no I/O.
 */
import { createHash } from 'node:crypto';
import { locate, type Problem, sortProblems, validateYaml } from '../../shared/validation.js';
import { type FormDefinition, type FormDefinitionInput, formDefinitionSchema, formIdPattern, formLimits, type Localized, reservedFormIds } from './definition.js';
import { type FormCheckReport, formsPrefix } from './reports.js';

/** Definition files: `<id>.yaml`, `<id>.yml` or `<id>.json` (JSON is read as the YAML it also is). */
export const formFile = /^([a-z0-9][a-z0-9_-]{0,63})\.(yaml|yml|json)$/;
/** The extensions a definition may have, in the order a reader prefers them when several exist. */
export const formExtensions = ['yaml', 'yml', 'json'] as const;

/** True for keys the upload check handles: `forms/<id>.yaml|yml|json` directly under the prefix (never a report). */
export const isFormKey = (key: string) => key.startsWith(formsPrefix) && formFile.test(key.slice(formsPrefix.length));

/** Every key a definition of `formId` may have, in the order a reader prefers them. */
export const formSourceKeys = (formId: string) => formExtensions.map((ext) => `${formsPrefix}${formId}.${ext}`);

/** Content hash of a definition's source: the first 16 hex digits of its SHA-256. */
export const formVersion = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);

/** Checks a definition file; the report carries the definition only when there is no error. */
export function checkForm(name: string, text: string, now: Date): FormCheckReport {
  const match = formFile.exec(name);
  const formId = match?.[1] ?? name.replace(/\.[^.]*$/, '');
  const base = { formId, source: name, checkedAt: now.toISOString() };
  const fail = (errors: Problem[], warnings: Problem[] = []): FormCheckReport => ({ ...base, ok: false, errors, warnings });
  if (!match || !formIdPattern.test(formId)) {
    return fail([{ field: '(file)', message: `"${name}" is not a form file: <id>.yaml, .yml or .json, the id 1-64 chars of a-z, 0-9, _ and -, starting with a letter or digit` }]);
  }
  if (reservedFormIds.has(formId)) return fail([{ field: '(file)', message: `"${formId}" is reserved (the route /v1/forms/${formId}): choose another id` }]);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > formLimits.sourceBytes) return fail([{ field: '(file)', message: `${bytes} bytes: a definition is at most ${formLimits.sourceBytes} bytes` }]);
  const { data, problems, yaml } = validateYaml(text, formDefinitionSchema);
  if (!data) return fail(problems);
  const found = semanticProblems(data);
  const at = (p: Found): Problem => ({ field: p.field, message: p.message, ...locate(yaml, p.field) });
  const errors = sortProblems(found.errors.map(at));
  const warnings = sortProblems(found.warnings.map(at));
  if (errors.length > 0) return fail(errors, warnings);
  const form: FormDefinition = { ...data, id: formId, locale: data.locale ?? 'ja', consents: data.consents ?? [], submit: data.submit ?? {}, version: formVersion(text) };
  return { ...base, ok: true, errors: [], warnings, form };
}

interface Found {
  field: string;
  message: string;
}

/** The field identifying the person: an email field mapped to the `email` trait. */
const identifies = (f: FormDefinitionInput['fields'][number]) => f.type === 'email' && f.trait === 'email';

/** Every rule beyond the schema; errors stop the form from being served, warnings do not. */
export function semanticProblems(def: FormDefinitionInput): { errors: Found[]; warnings: Found[] } {
  const errors: Found[] = [];
  const warnings: Found[] = [];
  const error = (field: string, message: string) => errors.push({ field, message });
  const consents = def.consents ?? [];

  const names = new Map<string, number>();
  def.fields.forEach((f, i) => {
    const at = `fields[${i}]`;
    const first = names.get(f.name);
    if (first !== undefined) error(`${at}.name`, `"${f.name}" is already the name of fields[${first}]: field names are unique`);
    else names.set(f.name, i);
    if (f.type === 'select' && !f.options) error(`${at}.options`, 'a select field needs options (the values it allows)');
    if (f.type !== 'select' && f.options) error(`${at}.options`, `options are for select fields only, not ${f.type}`);
    if (f.type !== 'hidden' && f.value !== undefined) error(`${at}.value`, `value is for hidden fields only, not ${f.type}`);
    if (f.pattern !== undefined) {
      try {
        new RegExp(`^(?:${f.pattern})$`, 'u');
      } catch (err) {
        error(`${at}.pattern`, `not a valid regular expression: ${(err as Error).message}`);
      }
    }
    if (f.maxLength !== undefined && f.maxLength > formLimits.maxLength) error(`${at}.maxLength`, `at most ${formLimits.maxLength}`);
    if (f.progressive && !f.trait) error(`${at}.progressive`, 'progressive profiling skips a field whose trait the profile has: give the field a trait');
    else if (f.progressive && identifies(f)) error(`${at}.progressive`, 'the email field identifies the person and is never skipped');
  });

  const emailFields = def.fields.map((f, i) => ({ f, i })).filter(({ f }) => identifies(f));
  if (emailFields.length === 0) error('fields', 'one field must identify the person: type email with trait email');
  for (const { i } of emailFields.slice(1)) error(`fields[${i}].trait`, `fields[${emailFields[0]!.i}] already identifies the person: only one field of type email has trait email`);
  const id = emailFields[0];
  if (id && !id.f.required) error(`fields[${id.i}].required`, 'the email field identifies the person: it must be required: true');

  const ids = new Map<string, number>();
  consents.forEach((c, i) => {
    const first = ids.get(c.id);
    if (first !== undefined) error(`consents[${i}].id`, `"${c.id}" is already the id of consents[${first}]: consent ids are unique`);
    else ids.set(c.id, i);
    // GDPR Art. 7(4): consent to marketing is not a condition of the service; 特定電子メール法 expects opt-in.
    if (c.required && (c.purpose === 'email' || c.purpose === 'advertising')) {
      error(`consents[${i}].required`, `consent to ${c.purpose === 'email' ? 'marketing mail' : 'advertising use'} must be freely given: it cannot be required (GDPR Art. 7(4))`);
    }
  });
  const submit = def.submit ?? {};
  const marketing = consents.some((c) => c.purpose === 'email');
  if (submit.doubleOptIn && !marketing) error('submit.doubleOptIn', 'double opt-in confirms a consent of purpose email: add one to consents');
  if (submit.message !== undefined && submit.redirect !== undefined) error('submit.redirect', 'give either submit.message or submit.redirect, not both');

  if (!marketing) warnings.push({ field: 'consents', message: 'no consent of purpose email: this form cannot grant consent to marketing mail' });
  const texts = localizedTexts(def);
  if (texts.some((t) => typeof t.value !== 'string')) {
    for (const t of texts) if (typeof t.value === 'string') warnings.push({ field: t.field, message: 'given in one language only while other texts have ja and en: both languages show this text' });
  }
  return { errors, warnings };
}

/** Every localized text of a definition with its field path. */
function localizedTexts(def: FormDefinitionInput): { field: string; value: Localized }[] {
  const out: { field: string; value: Localized | undefined }[] = [
    { field: 'title', value: def.title },
    { field: 'description', value: def.description },
    { field: 'submitLabel', value: def.submitLabel },
    { field: 'submit.message', value: def.submit?.message },
  ];
  def.fields.forEach((f, i) => {
    for (const key of ['label', 'placeholder', 'help', 'patternMessage'] as const) out.push({ field: `fields[${i}].${key}`, value: f[key] });
    f.options?.forEach((o, j) => out.push({ field: `fields[${i}].options[${j}].label`, value: o.label }));
  });
  def.consents?.forEach((c, i) => out.push({ field: `consents[${i}].text`, value: c.text }));
  return out.filter((t): t is { field: string; value: Localized } => t.value !== undefined);
}
