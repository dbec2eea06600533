/**
 * The form definition check: the schema's problems at their lines, then every rule a schema cannot say,
 * each naming its field and line; a full valid definition passes with its id, defaults and version.
 */
import { describe, expect, it } from 'vitest';
import { checkForm, formVersion, isFormKey } from '../../../functions/forms/domain/form-check.js';
import { formLimits } from '../../../functions/forms/domain/definition.js';

const now = new Date('2026-12-07T09:00:00Z');

const valid = `title: { ja: 製品資料ダウンロード, en: Download the brochure }
locale: ja
fields:
  - { name: email, type: email, label: { ja: メールアドレス, en: Work email }, required: true, trait: email }
  - { name: company, type: text, label: { ja: 会社名, en: Company }, trait: company, progressive: true }
  - { name: size, type: select, label: { ja: 従業員数, en: Employees }, options: [{ value: '1-9' }, { value: '10+' }] }
  - { name: source, type: hidden, value: brochure }
  - { name: zip, type: text, label: { ja: 郵便番号, en: Postal code }, pattern: '\\d{3}-?\\d{4}' }
consents:
  - { id: newsletter, purpose: email, version: 2026-11, text: { ja: メールを受け取る, en: Send me news } }
  - { id: privacy, purpose: terms, version: '1', text: { ja: 個人情報の取扱いに同意する, en: I agree to the privacy policy }, required: true }
submit:
  event: Brochure Requested
  message: { ja: ありがとうございます, en: Thank you }
  doubleOptIn: true
`;

/** The valid definition with one line replaced. */
const variant = (from: string, to: string) => {
  expect(valid).toContain(from);
  return valid.replace(from, to);
};
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('form check', () => {
  it('passes a full valid definition, with the id from the file name, defaults and a 16-hex version', () => {
    const report = checkForm('brochure.yaml', valid, now);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report).toMatchObject({ formId: 'brochure', source: 'brochure.yaml', ok: true, checkedAt: now.toISOString() });
    expect(report.form).toMatchObject({ id: 'brochure', locale: 'ja', version: formVersion(valid) });
    expect(report.form!.version).toMatch(/^[0-9a-f]{16}$/);
    const minimal = checkForm('m.json', JSON.stringify({ title: 'T', fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }] }), now);
    expect(minimal.ok).toBe(true);
    expect(minimal.form).toMatchObject({ id: 'm', locale: 'ja', consents: [], submit: {} });
  });

  it('refuses a bad file name or a file over the size limit', () => {
    expect(checkForm('Brochure.yaml', valid, now).errors[0]).toMatchObject({ field: '(file)' });
    expect(checkForm('brochure.txt', valid, now).ok).toBe(false);
    expect(checkForm('brochure.check.json', '{}', now).ok).toBe(false);
    // The double opt-in confirmation owns /v1/forms/confirm.
    expect(checkForm('confirm.yaml', valid, now).errors[0]).toMatchObject({ field: '(file)', message: expect.stringContaining('reserved') });
    const big = `${valid}# ${'x'.repeat(formLimits.sourceBytes)}\n`;
    expect(checkForm('brochure.yaml', big, now).errors[0]!.message).toContain(`${formLimits.sourceBytes} bytes`);
  });

  it('reports syntax and schema problems at their lines', () => {
    const typo = variant('  event: Brochure Requested', '  evnt: Brochure Requested');
    const report = checkForm('b.yaml', typo, now);
    expect(report.ok).toBe(false);
    expect(report.errors).toContainEqual(expect.objectContaining({ field: 'submit.evnt', line: lineOf(typo, 'evnt'), suggestion: 'event' }));
    expect(checkForm('b.yaml', 'title: [unclosed', now).errors[0]).toMatchObject({ field: '(yaml)', line: 1 });
  });

  const rules: [string, string, string, string, string][] = [
    // [rule, from, to, field, text on the line]
    ['unique field names', '  - { name: source, type: hidden', '  - { name: company, type: hidden', 'fields[3].name', 'type: hidden'],
    ['select needs options', "options: [{ value: '1-9' }, { value: '10+' }] }", '}', 'fields[2].options', 'name: size'],
    ['options only on select', "type: select, label: { ja: 従業員数, en: Employees }, options:", "type: text, label: { ja: 従業員数, en: Employees }, options:", 'fields[2].options', 'name: size'],
    ['value only on hidden', 'name: source, type: hidden', 'name: source, type: text', 'fields[3].value', 'name: source'],
    ['the pattern compiles', "pattern: '\\d{3}-?\\d{4}'", "pattern: '(\\d{3}'", 'fields[4].pattern', 'name: zip'],
    ['the email field is required', 'required: true, trait: email', 'required: false, trait: email', 'fields[0].required', 'name: email'],
    ['one field identifies the person', 'type: email, label: { ja: メールアドレス, en: Work email }, required: true, trait: email', 'type: email, label: { ja: メールアドレス, en: Work email }, required: true', 'fields', 'fields:'],
    ['marketing consent cannot be required', 'version: 2026-11, text: { ja: メールを受け取る, en: Send me news } }', 'version: 2026-11, required: true, text: { ja: メールを受け取る, en: Send me news } }', 'consents[0].required', 'id: newsletter'],
    ['unique consent ids', '  - { id: privacy,', '  - { id: newsletter,', 'consents[1].id', 'purpose: terms'],
    ['double opt-in needs an email consent', '  - { id: newsletter, purpose: email,', '  - { id: newsletter, purpose: advertising,', 'submit.doubleOptIn', 'doubleOptIn'],
    ['message and redirect not both', '  doubleOptIn: true', '  doubleOptIn: true\n  redirect: /p/thanks', 'submit.redirect', 'redirect:'],
    ['progressive needs a trait', 'trait: company, progressive: true', 'progressive: true', 'fields[1].progressive', 'name: company'],
    ['progressive not on the email field', 'required: true, trait: email }', 'required: true, trait: email, progressive: true }', 'fields[0].progressive', 'name: email'],
  ];
  it.each(rules)('%s: names its field and line', (_rule, from, to, field, onLine) => {
    const text = variant(from, to);
    const report = checkForm('brochure.yaml', text, now);
    expect(report.ok).toBe(false);
    expect(report.form).toBeUndefined();
    const problem = report.errors.find((e) => e.field === field);
    expect(problem, JSON.stringify(report.errors)).toBeDefined();
    expect(problem!.line).toBe(lineOf(text, onLine));
  });

  it('an advertising consent cannot be required either; a terms consent can', () => {
    const text = variant('  - { id: privacy, purpose: terms,', '  - { id: privacy, purpose: advertising,');
    expect(checkForm('b.yaml', text, now).errors).toContainEqual(expect.objectContaining({ field: 'consents[1].required' }));
    expect(checkForm('b.yaml', valid, now).ok).toBe(true);
  });

  it('a second email field with trait email is named at its trait', () => {
    const text = variant('  - { name: source, type: hidden, value: brochure }', '  - { name: email2, type: email, required: true, trait: email }');
    expect(checkForm('b.yaml', text, now).errors).toEqual([expect.objectContaining({ field: 'fields[3].trait', line: lineOf(text, 'email2') })]);
  });

  it('warns (and still passes) without a marketing consent, and for a text in one language among bilingual ones', () => {
    const text = variant('  - { name: company, type: text, label: { ja: 会社名, en: Company }', '  - { name: company, type: text, label: 会社名')
      .replace('  - { id: newsletter, purpose: email, version: 2026-11, text: { ja: メールを受け取る, en: Send me news } }\n', '')
      .replace('  doubleOptIn: true\n', '');
    const report = checkForm('b.yaml', text, now);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => w.field).sort()).toEqual(['consents', 'fields[1].label']);
    expect(report.warnings.find((w) => w.field === 'fields[1].label')!.line).toBe(lineOf(text, 'name: company'));
  });

  it('knows source keys from reports', () => {
    expect(isFormKey('forms/brochure.yaml')).toBe(true);
    expect(isFormKey('forms/brochure.json')).toBe(true);
    expect(isFormKey('forms/brochure.check.json')).toBe(false);
    expect(isFormKey('pages/brochure.yaml')).toBe(false);
    expect(isFormKey('forms/sub/brochure.yaml')).toBe(false);
  });
});
