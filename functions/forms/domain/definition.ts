/**
 * A form definition: the YAML a marketer uploads to `forms/<id>.yaml` in the content bucket (or sends to
 * `PUT /v1/admin/forms/{id}`). Checked on upload like templates (adapters/check.ts writes
 * `forms/<id>.check.json`); only a definition that passed its check is served. Pure: zod, no I/O.
 *
 * ```yaml
 * title: { ja: 製品資料ダウンロード, en: Download the brochure }
 * locale: ja
 * fields:
 *   - { name: email, type: email, label: { ja: メールアドレス, en: Work email }, required: true, trait: email }
 *   - { name: company, type: text, label: 会社名, trait: company, progressive: true }
 * consents:
 *   - { id: newsletter, purpose: email, version: 2026-11, text: { ja: …, en: … } }
 * submit:
 *   event: Brochure Requested
 *   message: { ja: ありがとうございます, en: Thank you }
 *   confirmationTemplate: brochure-delivery
 *   doubleOptIn: true
 *   notify: Brochure requested
 * ```
 */
import * as z from 'zod/mini';

/** Bounds of a definition (named in the README's "Forms and landing pages"). */
export const formLimits = {
  /** Largest definition file (bytes). */
  sourceBytes: 64 * 1024,
  /** Forms in one deployment. */
  forms: 200,
  fields: 30,
  consents: 5,
  options: 100,
  /** Longest label, placeholder or help text (characters). */
  labelChars: 200,
  /** Longest consent text (characters): the full wording shown next to the checkbox. */
  consentTextChars: 2000,
  /** Default and largest maxLength of a text-like field. */
  textDefault: 200,
  textareaDefault: 2000,
  maxLength: 5000,
  /** Longest regex source of a `pattern`. */
  patternChars: 200,
  /** Default and bounds of the minimum fill time (seconds) a submission must take after its render token. */
  minFillSecondsDefault: 3,
  minFillSecondsMax: 60,
} as const;

/** Form ids (and file names `forms/<id>.yaml`). */
export const formIdPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Ids a form cannot have: `/v1/forms/confirm` is the double opt-in confirmation's route. */
export const reservedFormIds: ReadonlySet<string> = new Set(['confirm']);
/** Field names: lower snake case; a leading `_` is reserved for Nurture's own inputs (wire.ts). */
export const fieldNamePattern = /^[a-z][a-z0-9_]{0,39}$/;
/** Trait names a field may map to (Segment's reserved traits such as `email`, `firstName`, `company`, or your own). */
export const traitNamePattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Track event names (`submit.event`). */
const eventNamePattern = /^[^\u0000-\u001f\u007f]{1,100}$/;

export const locales = ['ja', 'en'] as const;
export type Locale = (typeof locales)[number];

/** A text in both languages, or one text for both. */
const localized = (max: number) =>
  z.union([
    z.string().check(z.minLength(1), z.maxLength(max)),
    z.strictObject({ ja: z.string().check(z.minLength(1), z.maxLength(max)), en: z.string().check(z.minLength(1), z.maxLength(max)) }),
  ]);
export type Localized = string | { ja: string; en: string };

export const fieldTypes = ['text', 'email', 'phone', 'select', 'checkbox', 'textarea', 'hidden'] as const;
export type FieldType = (typeof fieldTypes)[number];

const optionSchema = z.strictObject({
  value: z.string().check(z.minLength(1), z.maxLength(200)),
  label: z.optional(localized(formLimits.labelChars)),
});

const fieldSchema = z.strictObject({
  name: z.string().check(z.regex(fieldNamePattern, 'field names are 1-40 chars of a-z, 0-9 and _, starting with a letter')),
  type: z.enum(fieldTypes),
  /** Shown above the input (not for hidden fields). Defaults to the name. */
  label: z.optional(localized(formLimits.labelChars)),
  placeholder: z.optional(localized(formLimits.labelChars)),
  help: z.optional(localized(formLimits.labelChars)),
  required: z.optional(z.boolean()),
  /** Characters at most (after NFKC normalization); text 200, textarea 2,000 by default. */
  maxLength: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(formLimits.maxLength))),
  /** A regular expression the whole value must match (JavaScript syntax, no flags). */
  pattern: z.optional(z.string().check(z.minLength(1), z.maxLength(formLimits.patternChars))),
  /** What to say when `pattern` fails (default: "the format is not valid"). */
  patternMessage: z.optional(localized(formLimits.labelChars)),
  /** select: the allowed values. */
  options: z.optional(z.array(optionSchema).check(z.minLength(1), z.maxLength(formLimits.options))),
  /** hidden: the value sent (UTM and the page address are captured anyway). */
  value: z.optional(z.string().check(z.maxLength(500))),
  /** The profile trait this field sets (`email`, `company`, `phone`, `name`, …). */
  trait: z.optional(z.string().check(z.regex(traitNamePattern, 'trait names are 1-64 chars of letters, digits and _'))),
  /** Progressive profiling: leave the field out when the visitor's profile already has its trait. */
  progressive: z.optional(z.boolean()),
  /** The HTML autocomplete token (default from the trait: email, tel, name, organization, …). */
  autocomplete: z.optional(z.string().check(z.regex(/^[a-z0-9 -]{1,60}$/, 'an HTML autocomplete token'))),
});
export type FieldDef = z.infer<typeof fieldSchema>;

/**
 * What a consent checkbox is for: `email` is marketing mail (the profile's `consent`, what sending reads),
 * `advertising` is use of the person's data for ad audiences (`adConsent`, what retargeting exports read),
 * `terms` is any other agreement (privacy policy, terms): recorded, read by nothing automatically.
 */
export const consentPurposes = ['email', 'advertising', 'terms'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

const consentSchema = z.strictObject({
  id: z.string().check(z.regex(fieldNamePattern, 'consent ids are 1-40 chars of a-z, 0-9 and _, starting with a letter')),
  purpose: z.enum(consentPurposes),
  /** The exact wording shown next to the checkbox; stored with every consent by its version. */
  text: localized(formLimits.consentTextChars),
  /** The wording's version ("2026-11"); change it whenever the text changes. */
  version: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,40}$/, 'versions are 1-40 chars of letters, digits, ., _ and -')),
  /** The form cannot be sent without ticking it (terms, never marketing: consent must be free). */
  required: z.optional(z.boolean()),
});
export type ConsentDef = z.infer<typeof consentSchema>;

const submitSchema = z.strictObject({
  /** A track event sent besides `Form Submitted` (scoring rules and scenario triggers can use it). */
  event: z.optional(z.string().check(z.regex(eventNamePattern, '1-100 characters, no control characters'))),
  /** Thank-you text shown in place of the form. */
  message: z.optional(localized(1000)),
  /** Or a page to go to: an absolute https URL, or a landing page path `/p/<slug>`. */
  redirect: z.optional(z.string().check(z.regex(/^(https:\/\/[^\s]{1,500}|\/p\/[a-z0-9][a-z0-9_-]{0,63})$/, 'an https:// URL or /p/<slug>'))),
  /** Transactional template mailed to the submitter (the brochure, the seminar ticket). */
  confirmationTemplate: z.optional(z.string().check(z.regex(formIdPattern, 'template ids are 1-64 chars of a-z, 0-9, _ and -'))),
  /** Marketing consent (purpose `email`) only after the confirmation link in a mail is clicked. */
  doubleOptIn: z.optional(z.boolean()),
  /** Template of the double opt-in mail (default `form-double-opt-in`). */
  doubleOptInTemplate: z.optional(z.string().check(z.regex(formIdPattern, 'template ids are 1-64 chars of a-z, 0-9, _ and -'))),
  /** Hand the lead to sales: a `lead.handoff` event (source nurture.forms) with this reason. */
  notify: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
});

const spamSchema = z.strictObject({
  /** Seconds between rendering the form and a submission that are too few for a person (default 3). */
  minFillSeconds: z.optional(z.number().check(z.minimum(0), z.maximum(formLimits.minFillSecondsMax))),
});

export const formDefinitionSchema = z.strictObject({
  title: localized(formLimits.labelChars),
  description: z.optional(localized(1000)),
  /** Language of messages when the request says none (Accept-Language); default `ja`. */
  locale: z.optional(z.enum(locales)),
  fields: z.array(fieldSchema).check(z.minLength(1), z.maxLength(formLimits.fields)),
  consents: z.optional(z.array(consentSchema).check(z.maxLength(formLimits.consents))),
  submitLabel: z.optional(localized(60)),
  submit: z.optional(submitSchema),
  spam: z.optional(spamSchema),
});

export type FormDefinitionInput = z.infer<typeof formDefinitionSchema>;

/** A checked definition with its id, as the check report keeps it and every reader uses it. */
export interface FormDefinition extends FormDefinitionInput {
  id: string;
  locale: Locale;
  consents: ConsentDef[];
  submit: NonNullable<FormDefinitionInput['submit']>;
  /** Content hash of the source (changes with every upload). */
  version: string;
}

/** The text of a localized value in one language. */
export function textIn(value: Localized, locale: Locale): string;
export function textIn(value: Localized | undefined, locale: Locale): string | undefined;
export function textIn(value: Localized | undefined, locale: Locale): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[locale];
}
