/**
 * The wire format of a submission: a JSON object of input names to strings or booleans (the embed
 * script), or `application/x-www-form-urlencoded` (a plain HTML form posted without JavaScript). Bounded
 * before anything else reads it, and split into Nurture's reserved inputs (public-form.ts) and the
 * visitor's values. Pure.
 */
import { BadSubmissionError, SubmissionTooLargeError } from '../errors.js';
import { consentInput, isChecked } from './fields.js';
import { reservedInputs, utmInputs } from './public-form.js';

/** Bounds of one submission (named in the README's "Form submissions"). */
export const submitLimits = {
  /** Largest body (bytes, as received). */
  bodyBytes: 16 * 1024,
  /** Most inputs in one body (a form has at most 30 fields and 5 consents, plus reserved inputs). */
  inputs: 100,
  /** Longest value of one input (characters): a field's own maxLength is checked after this. */
  valueChars: 5_000,
  /** Longest input name (characters). */
  nameChars: 100,
} as const;

export interface ParsedBody {
  /** Inputs by name, as strings (JSON booleans become `true`/`false`). */
  inputs: Record<string, string>;
  /** Posted as an HTML form (no JavaScript): the answer is a page, not JSON. */
  formPost: boolean;
}

const formType = 'application/x-www-form-urlencoded';

/** The inputs of a body; throws a 413 or a 400 naming the input at fault. */
export function parseSubmissionBody(text: string, bytes: number, contentType: string | undefined): ParsedBody {
  if (bytes > submitLimits.bodyBytes) throw new SubmissionTooLargeError(submitLimits.bodyBytes);
  const formPost = (contentType ?? '').toLowerCase().startsWith(formType);
  const entries: [string, unknown][] = [];
  if (formPost) {
    // A name posted twice (a checkbox with a hidden fallback) keeps its last value, as servers commonly do.
    for (const [k, v] of new URLSearchParams(text)) entries.push([k, v]);
  } else {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new BadSubmissionError('body', `not valid JSON (send a JSON object, or post the form as ${formType})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadSubmissionError('body', 'must be a JSON object of input names to strings or booleans');
    entries.push(...Object.entries(value));
  }
  if (entries.length > submitLimits.inputs) throw new BadSubmissionError('body', `more than ${submitLimits.inputs} inputs`);
  const inputs: Record<string, string> = {};
  for (const [name, raw] of entries) {
    if (name.length > submitLimits.nameChars) throw new BadSubmissionError(name.slice(0, 40), `input names are at most ${submitLimits.nameChars} characters`);
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'boolean') value = String(raw);
    else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
    else if (raw === null) continue;
    else throw new BadSubmissionError(name, 'must be a string or a boolean');
    if (value.length > submitLimits.valueChars) throw new BadSubmissionError(name, `longer than ${submitLimits.valueChars} characters`);
    inputs[name] = value;
  }
  return { inputs, formPost };
}

/** A submission's inputs, reserved ones apart. */
export interface SubmissionInputs {
  token?: string;
  submissionId?: string;
  anonymousId?: string;
  honeypot?: string;
  locale?: string;
  page?: string;
  url?: string;
  referrer?: string;
  utm: Record<string, string>;
  /** Consent ids whose box is ticked. */
  consents: Set<string>;
  /** Everything else: the form's fields (unknown names are ignored by the use case). */
  values: Record<string, string>;
}

const reservedNames = new Set<string>(Object.values(reservedInputs));
const consentPrefix = consentInput('');

/** Splits inputs into Nurture's reserved ones (`_token`, `_sid`, …, `_consent.<id>`, utm_*) and field values. */
export function splitInputs(inputs: Readonly<Record<string, string>>): SubmissionInputs {
  const pick = (name: string) => (inputs[name] !== undefined && inputs[name] !== '' ? inputs[name] : undefined);
  const out: SubmissionInputs = { utm: {}, consents: new Set(), values: {} };
  const set = <K extends keyof SubmissionInputs>(key: K, value: SubmissionInputs[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('token', pick(reservedInputs.token));
  set('submissionId', pick(reservedInputs.submissionId));
  set('anonymousId', pick(reservedInputs.anonymousId)?.slice(0, 200));
  set('honeypot', pick(reservedInputs.honeypot));
  set('locale', pick(reservedInputs.locale));
  set('page', pick(reservedInputs.page));
  set('url', pick(reservedInputs.url)?.slice(0, 2000));
  set('referrer', pick(reservedInputs.referrer)?.slice(0, 2000));
  for (const name of utmInputs) {
    const v = pick(name);
    if (v) out.utm[name] = v.slice(0, 512);
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (name.startsWith(consentPrefix)) {
      if (isChecked(value)) out.consents.add(name.slice(consentPrefix.length));
    } else if (!reservedNames.has(name) && !(utmInputs as readonly string[]).includes(name) && !name.startsWith('_')) {
      out.values[name] = value;
    }
  }
  return out;
}

/** The value of a cookie in a Cookie header (API Gateway v2 also lists cookies in `event.cookies`). */
export function cookieValue(cookies: readonly string[] | string | undefined, name: string): string | undefined {
  const parts = (Array.isArray(cookies) ? cookies : typeof cookies === 'string' ? cookies.split(';') : []).map((c) => c.trim());
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1)).slice(0, 200) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The tracker's anonymous-id cookie. */
export const anonymousIdCookie = 'nurture_aid';
