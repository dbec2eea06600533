/**
 * Validation of submitted values, field by field, with messages in Japanese and English. The server
 * (submit route) and the embeddable form script (tracker/src/forms.ts) run this same module, so the
 * browser refuses exactly what the server would. No imports beyond types: it is bundled into the script.
 */
import type { FieldType, Locale } from './definition.js';

/** What the validator needs of a field (the public form's field: public-form.ts). */
export interface FieldRule {
  name: string;
  type: FieldType;
  required?: boolean;
  maxLength?: number;
  pattern?: string;
  /** Already in the request's language. */
  patternMessage?: string;
  options?: { value: string }[];
}

/** What the validator needs of a consent checkbox. */
export interface ConsentRule {
  id: string;
  required?: boolean;
}

export type FieldErrorCode = 'required' | 'email' | 'phone' | 'pattern' | 'maxLength' | 'option' | 'consent';

export interface FieldError {
  /** The input's name: a field's name, or `_consent.<id>`. */
  field: string;
  code: FieldErrorCode;
  message: string;
}

/** Defaults when a field sets no maxLength. */
export const defaultMaxLength: Record<FieldType, number> = {
  text: 200,
  email: 254,
  phone: 30,
  select: 200,
  checkbox: 5,
  textarea: 2000,
  hidden: 500,
};

/** The input name of a consent checkbox. */
export const consentInput = (id: string) => `_consent.${id}`;

const messages: Record<Locale, Record<Exclude<FieldErrorCode, 'pattern'>, (n?: number) => string> & { pattern: string }> = {
  ja: {
    required: () => '入力してください',
    email: () => 'メールアドレスの形式が正しくありません',
    phone: () => '電話番号の形式が正しくありません（数字、+、-、括弧、空白のみ）',
    maxLength: (n) => `${n}文字以内で入力してください`,
    option: () => '選択肢から選んでください',
    consent: () => '同意が必要です',
    pattern: '形式が正しくありません',
  },
  en: {
    required: () => 'This field is required',
    email: () => 'Enter a valid email address',
    phone: () => 'Enter a valid phone number (digits, +, -, brackets and spaces only)',
    maxLength: (n) => `Use at most ${n} characters`,
    option: () => 'Choose one of the options',
    consent: () => 'Your agreement is required',
    pattern: 'The format is not valid',
  },
};

/** Full-width digits, letters and @ (ＡＢＣ１２３＠) as people type them on Japanese keyboards, trimmed. */
export function normalizeValue(raw: string): string {
  return raw.normalize('NFKC').trim();
}

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** 7-20 digits once punctuation is gone; + only in front. */
const phoneShape = /^\+?[0-9()\- .]{6,29}$/;

const checked = (v: string | undefined) => v !== undefined && ['on', 'true', '1', 'yes'].includes(v.toLowerCase());

/** The error of one field's value, or undefined when it is acceptable (an empty optional field is). */
export function fieldError(rule: FieldRule, raw: string | undefined, locale: Locale): FieldError | undefined {
  const m = messages[locale];
  const err = (code: FieldErrorCode, message: string): FieldError => ({ field: rule.name, code, message });
  if (rule.type === 'checkbox') return rule.required && !checked(raw) ? err('required', m.required()) : undefined;
  const value = normalizeValue(raw ?? '');
  if (value === '') return rule.required && rule.type !== 'hidden' ? err('required', m.required()) : undefined;
  const max = rule.maxLength ?? defaultMaxLength[rule.type];
  if ([...value].length > max) return err('maxLength', m.maxLength(max));
  if (rule.type === 'email' && !emailShape.test(value)) return err('email', m.email());
  if (rule.type === 'phone' && (!phoneShape.test(value) || value.replace(/\D/g, '').length < 7 || value.replace(/\D/g, '').length > 20)) {
    return err('phone', m.phone());
  }
  if (rule.type === 'select' && rule.options && !rule.options.some((o) => o.value === value)) return err('option', m.option());
  if (rule.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${rule.pattern})$`, 'u');
    } catch {
      re = undefined; // The upload check refuses such a pattern; a stale one is not the visitor's fault.
    }
    if (re && !re.test(value)) return err('pattern', rule.patternMessage ?? m.pattern);
  }
  return undefined;
}

/**
 * Every problem of a submission, in the form's order: fields (skipping the ones left out for progressive
 * profiling) and required consents. `values` holds inputs by name as posted.
 */
export function validateValues(
  form: { fields: readonly FieldRule[]; consents: readonly ConsentRule[] },
  values: Readonly<Record<string, string | undefined>>,
  locale: Locale,
  skipped: ReadonlySet<string> = new Set(),
): FieldError[] {
  const errors: FieldError[] = [];
  for (const rule of form.fields) {
    if (skipped.has(rule.name)) continue;
    const e = fieldError(rule, values[rule.name], locale);
    if (e) errors.push(e);
  }
  for (const c of form.consents) {
    if (c.required && !checked(values[consentInput(c.id)])) {
      errors.push({ field: consentInput(c.id), code: 'consent', message: messages[locale].consent() });
    }
  }
  return errors;
}

/** Whether a checkbox input's posted value means ticked. */
export const isChecked = checked;
