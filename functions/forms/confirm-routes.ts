/**
 * The double opt-in link of forms (public, on the `forms` function): `GET /v1/forms/confirm?t=` asks, and
 * only the person's click (`POST`) grants marketing consent, as sending's unsubscribe page does: mail
 * scanners follow every GET link in a mail. Composed into the forms function's routes with the public
 * form routes (functions/forms/public.ts).
 */
import type { Consent } from '../profiles/domain/profile.js';
import { truncateIp } from '../ingest/domain/enrich.js';
import type { FunctionName } from '../shared/functions.js';
import { bodyBytes, bodyText, type HttpResult, routesOf } from '../shared/http.js';
import type { ConsentPurpose, FormDefinition, Locale } from './domain/definition.js';
import { textIn } from './domain/definition.js';
import { confirmAskPage, confirmedPage, confirmErrorPage } from './domain/confirm-page.js';
import type { StoredSubmission } from './domain/follow-up.js';
import type { ConsentRecord } from './domain/model.js';
import { pickLocale } from './domain/public-form.js';
import { checkConfirmToken, maxFormTokenChars } from './domain/tokens.js';

/** Largest confirm POST body read (bytes): one form field holding a token of at most 1,024 characters. */
export const maxConfirmBodyBytes = 4 * 1024;

/** What the confirm routes use (adapters/follow-up-ports.ts confirmPortsFromEnv wires them). */
export interface ConfirmPorts {
  /** HMAC secret of link tokens. */
  secret: string;
  submissions: {
    get(formId: string, submissionId: string): Promise<StoredSubmission | undefined>;
    confirm(ref: StoredSubmission['ref'], at: string, networkPrefix?: string): Promise<{ at: string; networkPrefix?: string } | undefined>;
  };
  consents: {
    decide(profileId: string, purpose: ConsentPurpose, consent: Consent): Promise<boolean>;
    append(record: ConsentRecord): Promise<void>;
  };
  forms: { form(formId: string): Promise<FormDefinition | undefined> };
  now(): Date;
}

/**
 * A page for the person: never cached, and no referrer carries the token to another site. `same-origin`
 * rather than `no-referrer`: under no-referrer browsers send `Origin: null` with the page's own form post,
 * which the origin check refuses.
 */
const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'same-origin' },
  body,
});

type Found = { ok: true; sub: StoredSubmission; locale: Locale } | { ok: false; page: HttpResult };

/** The submission a token names, or the page refusing the token in the person's language. */
async function resolve(token: string | undefined, acceptLanguage: string | undefined, ports: ConfirmPorts): Promise<Found> {
  const fallback = pickLocale(acceptLanguage, 'ja');
  const check = token && token.length <= maxFormTokenChars ? checkConfirmToken(ports.secret, token, ports.now()) : ({ ok: false, reason: 'invalid' } as const);
  if (!check.ok) return { ok: false, page: html(400, confirmErrorPage(fallback, check.reason)) };
  const sub = await ports.submissions.get(check.claims.f, check.claims.d);
  if (!sub) return { ok: false, page: html(400, confirmErrorPage(fallback, 'invalid')) };
  return { ok: true, sub, locale: sub.locale };
}

/**
 * Confirms once: marks the submission (the first click's time and network are kept), then grants email
 * consent and writes the ledger with that time. Repeating it (a second click, a retry after a failure
 * between the writes) writes the same values again, so nothing changes and nothing is lost.
 */
async function confirm(sub: StoredSubmission, networkPrefix: string | undefined, ports: ConfirmPorts): Promise<boolean> {
  const confirmed = await ports.submissions.confirm(sub.ref, ports.now().toISOString(), networkPrefix);
  if (!confirmed) return false;
  const def = await ports.forms.form(sub.formId);
  const source = `form:${sub.formId}:double-opt-in`;
  await ports.consents.decide(sub.profileId, 'email', { status: 'granted', source, at: confirmed.at });
  for (const given of sub.consents.filter((c) => c.purpose === 'email')) {
    const shown = def?.consents.find((c) => c.id === given.consentId && c.version === given.textVersion);
    await ports.consents.append({
      profileId: sub.profileId,
      purpose: 'email',
      consentId: given.consentId,
      status: 'granted',
      method: 'double-opt-in',
      textVersion: given.textVersion,
      // The wording of that version, while the definition still holds it.
      text: shown ? textIn(shown.text, sub.locale) : '',
      locale: sub.locale,
      at: confirmed.at,
      formId: sub.formId,
      submissionId: sub.submissionId,
      ...(confirmed.networkPrefix ? { networkPrefix: confirmed.networkPrefix } : {}),
      ...(sub.email ? { email: sub.email } : {}),
    });
  }
  return true;
}

const pages = {
  '200': { description: 'The page (Japanese or English: the submission’s language)', contentType: 'text/html' },
  '400': { description: 'The link expired (7 days) or is not valid: a page saying so in the person’s language', contentType: 'text/html' },
};

// `forms` joins FunctionName with the public forms function (functions/forms/public.ts).
export const confirmRoutes = routesOf<ConfirmPorts>('forms', [
  {
    method: 'GET',
    path: '/v1/forms/confirm',
    doc: {
      summary: 'Double opt-in: the confirmation page',
      description:
        'The link of the double opt-in mail (`t`: the signed token, valid 7 days). Changes nothing: it shows a button that POSTs the token, because mail scanners open every link in a mail and consent needs the person’s click. A link already confirmed shows the confirmation.',
      tags: ['forms'],
      responses: pages,
    },
    async handle(req, ports) {
      const found = await resolve(req.query.t, req.headers['accept-language'], ports);
      if (!found.ok) return found.page;
      if (found.sub.doubleOptIn === 'confirmed') return html(200, confirmedPage(found.locale));
      const def = await ports.forms.form(found.sub.formId);
      const title = def ? textIn(def.title, found.locale) : found.sub.formId;
      return html(200, confirmAskPage(found.locale, req.event.rawPath, req.query.t ?? '', title));
    },
  },
  {
    method: 'POST',
    path: '/v1/forms/confirm',
    doc: {
      summary: 'Double opt-in: confirm (grants marketing email consent)',
      description:
        `Form field \`t\` (application/x-www-form-urlencoded, at most ${maxConfirmBodyBytes} bytes). Marks the submission confirmed, grants the profile's email consent (source \`form:<formId>:double-opt-in\`) and records it in the consent ledger with method \`double-opt-in\`, the consent's text version, the time and the network prefix of the click. Idempotent: a second POST changes nothing and shows the same page.`,
      tags: ['forms'],
      bodyTypes: ['application/x-www-form-urlencoded'],
      responses: pages,
    },
    async handle(req, ports) {
      const token = bodyBytes(req.event) > maxConfirmBodyBytes ? undefined : (new URLSearchParams(bodyText(req.event)).get('t') ?? undefined);
      const found = await resolve(token, req.headers['accept-language'], ports);
      if (!found.ok) return found.page;
      if (!(await confirm(found.sub, truncateIp(req.event.requestContext?.http?.sourceIp), ports))) return html(400, confirmErrorPage(found.locale, 'invalid'));
      return html(200, confirmedPage(found.locale));
    },
  },
]);
