/**
 * The public view of a form in one language: what `GET /v1/forms/{id}` answers, what the embeddable
 * script and landing pages render, and what the validator (fields.ts) checks. It never holds the
 * definition's private parts (templates, notify reason, trait mapping). Pure.
 */
import { type FormDefinition, type Locale, locales, textIn } from './definition.js';
import type { FieldRule } from './fields.js';

export interface PublicField extends FieldRule {
  label: string;
  placeholder?: string;
  help?: string;
  options?: { value: string; label: string }[];
  /** hidden fields: the value sent. */
  value?: string;
  autocomplete?: string;
}

export interface PublicConsent {
  id: string;
  text: string;
  version: string;
  required?: boolean;
}

export interface PublicForm {
  id: string;
  locale: Locale;
  title: string;
  description?: string;
  fields: PublicField[];
  consents: PublicConsent[];
  submitLabel: string;
  /** Name of the honeypot input: rendered off-screen, left empty by people (wire.ts). */
  honeypot: string;
  /** Shown in place of the form after a successful submission (when no redirect). */
  successMessage: string;
  redirect?: string;
  /** Fields left out because the visitor's profile has their trait (progressive profiling). */
  skipped: string[];
}

/** Autocomplete tokens of common traits. */
const autocompleteOf: Record<string, string> = {
  email: 'email',
  phone: 'tel',
  name: 'name',
  firstName: 'given-name',
  lastName: 'family-name',
  company: 'organization',
  title: 'organization-title',
  zip: 'postal-code',
  postalCode: 'postal-code',
  country: 'country-name',
};

const defaults: Record<Locale, { submit: string; success: string }> = {
  ja: { submit: '送信する', success: 'ありがとうございました。送信を受け付けました。' },
  en: { submit: 'Send', success: 'Thank you. We received your submission.' },
};

/**
 * The language of a request: `_lang` when the client states it, else the first of Accept-Language's
 * languages Nurture speaks (by q-value), else the form's own.
 */
export function pickLocale(acceptLanguage: string | undefined, fallback: Locale, stated?: string): Locale {
  if (stated && (locales as readonly string[]).includes(stated)) return stated as Locale;
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const hit = ranked.find((x) => (locales as readonly string[]).includes(x.lang));
  return hit ? (hit.lang as Locale) : fallback;
}

/** The form in `locale`, without the fields in `skip` (progressive profiling; never a required consent). */
export function publicForm(def: FormDefinition, locale: Locale, skip: ReadonlySet<string> = new Set()): PublicForm {
  const fields: PublicField[] = def.fields
    .filter((f) => !skip.has(f.name))
    .map((f) => {
      const auto = f.autocomplete ?? (f.trait ? autocompleteOf[f.trait] : undefined);
      return {
        name: f.name,
        type: f.type,
        label: textIn(f.label, locale) ?? f.name,
        ...(f.placeholder ? { placeholder: textIn(f.placeholder, locale) } : {}),
        ...(f.help ? { help: textIn(f.help, locale) } : {}),
        ...(f.required ? { required: true } : {}),
        ...(f.maxLength ? { maxLength: f.maxLength } : {}),
        ...(f.pattern ? { pattern: f.pattern } : {}),
        ...(f.patternMessage ? { patternMessage: textIn(f.patternMessage, locale) } : {}),
        ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: textIn(o.label, locale) ?? o.value })) } : {}),
        ...(f.value !== undefined ? { value: f.value } : {}),
        ...(auto ? { autocomplete: auto } : {}),
      };
    });
  return {
    id: def.id,
    locale,
    title: textIn(def.title, locale),
    ...(def.description ? { description: textIn(def.description, locale) } : {}),
    fields,
    consents: def.consents.map((c) => ({ id: c.id, text: textIn(c.text, locale), version: c.version, ...(c.required ? { required: true } : {}) })),
    submitLabel: textIn(def.submitLabel, locale) ?? defaults[locale].submit,
    honeypot: honeypotInput,
    successMessage: textIn(def.submit.message, locale) ?? defaults[locale].success,
    ...(def.submit.redirect ? { redirect: def.submit.redirect } : {}),
    skipped: def.fields.filter((f) => skip.has(f.name)).map((f) => f.name),
  };
}

/**
 * Fields progressive profiling leaves out for a profile with these traits: `progressive` fields whose
 * trait the profile has. The email field is never left out: it is what names the submitter, and a shared
 * browser must not submit as its previous user.
 */
export function progressiveSkips(def: FormDefinition, traits: Readonly<Record<string, unknown>>): Set<string> {
  const has = (t: string) => traits[t] !== undefined && traits[t] !== null && traits[t] !== '';
  return new Set(def.fields.filter((f) => f.progressive && f.trait && f.trait !== 'email' && f.type !== 'email' && has(f.trait)).map((f) => f.name));
}

/** Reserved input names of a submission (wire format shared by JSON bodies, form posts and the embed). */
export const honeypotInput = '_hp';
export const reservedInputs = {
  /** The signed render token (tokens.ts). */
  token: '_token',
  /** Client-chosen submission id (idempotency); the token's nonce when absent. */
  submissionId: '_sid',
  /** The tracker's anonymous id (the embed sends it; pages rely on the cookie or the token). */
  anonymousId: '_aid',
  /** Honeypot: must arrive empty. */
  honeypot: honeypotInput,
  /** Language the visitor saw (ja | en). */
  locale: '_lang',
  /** Landing page slug the form was on (`/p/<slug>`). */
  page: '_page',
  /** Address and referrer of the page the form was on. */
  url: '_url',
  referrer: '_ref',
} as const;
/** UTM parameters captured with a submission (`utm_source`, …), posted under these names. */
export const utmInputs = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
