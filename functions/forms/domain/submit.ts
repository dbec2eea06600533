/**
 * The public side of a form: rendering it for a visitor (with a fresh render token and progressive
 * profiling) and taking a submission. Ports are wired by adapters/submit-ports.ts; no AWS here.
 *
 * A submission goes: spam checks (token, honeypot, fill time) → a known submission id answers as it did
 * the first time → rate limit per network → validation → identify (the anonymous history moves to the
 * named lead) → events on the stream → consent → the submission, its guard and the day's counter in one
 * transaction. A refused submission leaves no trace but the form's `refused` counter and a metric.
 */
import type { IdentifyCall, Resolution } from '../../identity/domain/identify.js';
import { anonymousProfileId, normalizeEmail } from '../../identity/domain/keys.js';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import type { Consent } from '../../profiles/domain/profile.js';
import { BadSubmissionError, FormNotFoundError } from '../errors.js';
import { type ConsentPurpose, type FieldDef, type FormDefinition, formIdPattern, type Locale, textIn } from './definition.js';
import { consentInput, type FieldError, isChecked, normalizeValue, validateValues } from './fields.js';
import { type ConsentRecord, type GivenConsent, type SpamReason, type Submission, submissionIdPattern } from './model.js';
import { pickLocale, progressiveSkips, publicForm, type PublicForm } from './public-form.js';
import { checkSubmission, networkPrefixOf } from './spam.js';
import { submitEvents } from './submit-events.js';
import { issueRenderToken } from './tokens.js';
import { type ParsedBody, splitInputs } from './wire.js';

/** Landing page slugs (`/p/<slug>`), as pages name them. */
export const pageSlugPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Anonymous ids taken from a cookie, a query or an input. */
const anonymousIdPattern = /^[\x21-\x7e]{1,200}$/;

/** What a guard item keeps of an accepted submission, to answer a repeat of it the same way. */
export interface AcceptedRecord {
  submittedAt: string;
  profileId: string;
}

/** Where submissions, their guards and the daily counters live. */
export interface SubmissionStore {
  /** The accepted submission of this id, if any (strongly consistent). */
  accepted(formId: string, submissionId: string): Promise<AcceptedRecord | undefined>;
  /** Writes the submission, its guard and the day's counters at once; false when the guard already stood. */
  accept(submission: Submission): Promise<boolean>;
  /** Counts a refused submission on the form's day. */
  countRefused(formId: string, date: string): Promise<void>;
}

export interface FormsPorts {
  /** HMAC key of render tokens (the link secret). */
  secret: string;
  /** Base URL of the API, without a trailing slash (landing pages `/p/<slug>` live under it). */
  apiBase: string;
  forms: { form(formId: string): Promise<FormDefinition | undefined> };
  store: SubmissionStore;
  /** Takes one submission from the network's window; false when the window is full. */
  rateLimiter: { take(networkPrefix: string, now: Date): Promise<boolean> };
  identify(call: IdentifyCall): Promise<Resolution | undefined>;
  /** The profile an anonymous id is linked to (undefined when it has no link). Read-only. */
  linkedProfile(anonymousId: string): Promise<string | undefined>;
  /** A profile's traits, following merges (undefined when there is no such profile). Read-only. */
  traitsOf(profileId: string): Promise<Record<string, unknown> | undefined>;
  putEvents(events: CollectedEvent[]): Promise<void>;
  consents: {
    decide(profileId: string, purpose: ConsentPurpose, consent: Consent): Promise<boolean>;
    append(record: ConsentRecord): Promise<void>;
  };
  count(metric: 'submitted' | SpamReason): void;
  now(): Date;
}

async function formOf(formId: string, ports: Pick<FormsPorts, 'forms'>): Promise<FormDefinition> {
  const form = formIdPattern.test(formId) ? await ports.forms.form(formId) : undefined;
  if (!form) throw new FormNotFoundError(formId);
  return form;
}

const cleanId = (v: string | undefined) => (v && anonymousIdPattern.test(v) ? v : undefined);

export interface RenderRequest {
  formId: string;
  /** `?lang=` */
  lang?: string;
  acceptLanguage?: string;
  /** `?aid=`, else the `nurture_aid` cookie. */
  anonymousId?: string;
  /** `?page=`: the landing page slug it is rendered on. */
  page?: string;
}

/** The form in the visitor's language, without the fields their profile already answers, with a render token. */
export async function renderForm(req: RenderRequest, ports: FormsPorts): Promise<PublicForm & { token: string }> {
  const form = await formOf(req.formId, ports);
  const locale = pickLocale(req.acceptLanguage, form.locale, req.lang);
  const anonymousId = cleanId(req.anonymousId);
  let skip = new Set<string>();
  if (anonymousId && form.fields.some((f) => f.progressive)) {
    const profileId = (await ports.linkedProfile(anonymousId)) ?? anonymousProfileId(anonymousId);
    const traits = await ports.traitsOf(profileId);
    if (traits) skip = progressiveSkips(form, traits);
  }
  const page = req.page && pageSlugPattern.test(req.page) ? req.page : undefined;
  const token = issueRenderToken(
    ports.secret,
    { f: form.id, ...(anonymousId ? { a: anonymousId } : {}), ...(skip.size > 0 ? { s: [...skip] } : {}), ...(page ? { p: page } : {}) },
    ports.now(),
  );
  return { ...publicForm(form, locale, skip), token };
}

export interface SubmitRequest {
  formId: string;
  body: ParsedBody;
  acceptLanguage?: string;
  /** The `nurture_aid` cookie. */
  cookieAnonymousId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The Referer header (the page, when the body names none). */
  referer?: string;
}

export type SubmitOutcome =
  | { kind: 'refused'; form: FormDefinition; locale: Locale; reason: SpamReason; field: string }
  | { kind: 'invalid'; form: FormDefinition; locale: Locale; errors: FieldError[] }
  | { kind: 'accepted'; form: FormDefinition; locale: Locale; submissionId: string; profileId: string; replay: boolean };

/** Where a successful submission sends the browser: `submit.redirect`, a landing page path made absolute. */
export function redirectOf(form: Pick<FormDefinition, 'submit'>, apiBase: string): string | undefined {
  const to = form.submit.redirect;
  return to?.startsWith('/p/') ? `${apiBase}${to}` : to;
}

/** The email field: the one mapped to the `email` trait, else the first of type email. */
export const emailFieldOf = (form: FormDefinition): FieldDef | undefined =>
  form.fields.find((f) => f.trait === 'email') ?? form.fields.find((f) => f.type === 'email');

/** Takes one submission (see the module's comment for the order of things). */
export async function submit(req: SubmitRequest, ports: FormsPorts): Promise<SubmitOutcome> {
  const form = await formOf(req.formId, ports);
  const inputs = splitInputs(req.body.inputs);
  const locale = pickLocale(req.acceptLanguage, form.locale, inputs.locale);
  const now = ports.now();
  const networkPrefix = networkPrefixOf(req.sourceIp);
  const refuse = async (reason: SpamReason, field: string): Promise<SubmitOutcome> => {
    await ports.store.countRefused(form.id, now.toISOString().slice(0, 10));
    ports.count(reason);
    return { kind: 'refused', form, locale, reason, field };
  };

  const spam = checkSubmission({ secret: ports.secret, formId: form.id, token: inputs.token, honeypot: inputs.honeypot, minFillSeconds: form.spam?.minFillSeconds, now });
  if (!spam.ok) return refuse(spam.reason, spam.field);
  const claims = spam.claims;
  if (inputs.submissionId !== undefined && !submissionIdPattern.test(inputs.submissionId)) {
    throw new BadSubmissionError('_sid', 'submission ids are 8-64 characters of A-Z, a-z, 0-9, _ and -');
  }
  const submissionId = inputs.submissionId ?? claims.n;
  const accepted = (record: AcceptedRecord, replay: boolean): SubmitOutcome => ({ kind: 'accepted', form, locale, submissionId, profileId: record.profileId, replay });

  const before = await ports.store.accepted(form.id, submissionId);
  if (before) return accepted(before, true);
  if (networkPrefix && !(await ports.rateLimiter.take(networkPrefix, now))) return refuse('rate-limit', '_token');

  const skipped = new Set(claims.s ?? []);
  const toValidate: Record<string, string> = { ...inputs.values };
  for (const id of inputs.consents) toValidate[consentInput(id)] = 'true';
  const errors = validateValues(publicForm(form, locale, skipped), toValidate, locale, skipped);
  if (errors.length > 0) return { kind: 'invalid', form, locale, errors };

  const values: Record<string, string> = {};
  const traits: Record<string, unknown> = {};
  for (const f of form.fields) {
    if (skipped.has(f.name)) continue;
    const raw = f.type === 'hidden' ? (inputs.values[f.name] ?? f.value) : inputs.values[f.name];
    if (f.type === 'checkbox') {
      values[f.name] = String(isChecked(raw));
      if (f.trait) traits[f.trait] = isChecked(raw);
      continue;
    }
    const value = normalizeValue(raw ?? '');
    if (value === '') continue;
    values[f.name] = value;
    if (f.trait) traits[f.trait] = f.trait === 'email' || f.type === 'email' ? (normalizeEmail(value) ?? value) : value;
  }
  const emailField = emailFieldOf(form);
  const email = emailField ? normalizeEmail(values[emailField.name]) : undefined;
  if (email) traits.email = email;

  const submittedAt = now.toISOString();
  const anonymousId = cleanId(req.cookieAnonymousId) ?? cleanId(claims.a) ?? cleanId(inputs.anonymousId);
  const resolution = email ? await ports.identify({ ...(anonymousId ? { anonymousId } : {}), email, at: submittedAt }) : undefined;
  // Without an email, the visitor's profile; without an anonymous id either (a browser without the
  // tracker), a profile of this submission alone.
  const profileId =
    resolution?.profileId ??
    (anonymousId ? ((await ports.linkedProfile(anonymousId)) ?? anonymousProfileId(anonymousId)) : anonymousProfileId(`form-${form.id}-${submissionId}`));

  const ticked = form.consents.filter((c) => inputs.consents.has(c.id));
  const consents: GivenConsent[] = ticked.map((c) => ({ consentId: c.id, purpose: c.purpose, textVersion: c.version }));
  const pendingOptIn = form.submit.doubleOptIn === true && ticked.some((c) => c.purpose === 'email');
  const page = claims.p ?? (inputs.page && pageSlugPattern.test(inputs.page) ? inputs.page : undefined);
  const url = inputs.url ?? req.referer?.slice(0, 2000);
  const submission: Submission = {
    formId: form.id,
    submissionId,
    submittedAt,
    profileId,
    ...(anonymousId ? { anonymousId } : {}),
    ...(email ? { email } : {}),
    locale,
    values,
    consents,
    ...(page ? { page } : {}),
    ...(url ? { url } : {}),
    ...(inputs.referrer ? { referrer: inputs.referrer } : {}),
    ...(Object.keys(inputs.utm).length > 0 ? { utm: inputs.utm } : {}),
    ...(networkPrefix ? { networkPrefix } : {}),
    ...(pendingOptIn ? { doubleOptIn: 'pending' as const } : {}),
  };

  // Events first: a crash after them is retried with the same messageIds, which the processor drops.
  await ports.putEvents(
    submitEvents({
      form,
      submission,
      traits,
      profileId,
      mergeFrom: resolution?.mergeFrom ?? [],
      ...(anonymousId ? { anonymousId } : {}),
      ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}),
      ...(req.userAgent ? { userAgent: req.userAgent } : {}),
      receivedAt: now,
    }),
  );
  for (const c of ticked) {
    const pending = pendingOptIn && c.purpose === 'email';
    if (!pending && c.purpose !== 'terms') {
      await ports.consents.decide(profileId, c.purpose, { status: 'granted', source: `form:${form.id}:${c.version}`, at: submittedAt });
    }
    await ports.consents.append({
      profileId,
      purpose: c.purpose,
      consentId: c.id,
      status: pending ? 'pending' : 'granted',
      method: 'checkbox',
      textVersion: c.version,
      text: textIn(c.text, locale),
      locale,
      at: submittedAt,
      formId: form.id,
      submissionId,
      ...(networkPrefix ? { networkPrefix } : {}),
      ...(email ? { email } : {}),
    });
  }
  if (!(await ports.store.accept(submission))) {
    // A concurrent duplicate wrote its guard first: answer as it did.
    return accepted((await ports.store.accepted(form.id, submissionId)) ?? { submittedAt, profileId }, true);
  }
  ports.count('submitted');
  return accepted({ submittedAt, profileId }, false);
}
