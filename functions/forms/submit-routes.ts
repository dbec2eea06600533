/**
 * Public HTTP routes of forms, with their OpenAPI documentation: the form as a visitor sees it (with a
 * render token) and the submission. A submission posted as a plain HTML form (no JavaScript) is answered
 * with a page or a redirect; one sent as JSON (the embed script), with JSON.
 */
import * as z from 'zod/mini';
import { bodyBytes, bodyText, type HttpRequest, type HttpResult, json, routesOf } from '../shared/http.js';
import { clientErrorSchema, type RouteDoc } from '../shared/route-docs.js';
import { type Locale, textIn } from './domain/definition.js';
import { consentInput } from './domain/fields.js';
import { spamReasons } from './domain/model.js';
import { publicForm } from './domain/public-form.js';
import { rateLimit } from './domain/spam.js';
import { type FormsPorts, redirectOf, renderForm, submit, type SubmitOutcome } from './domain/submit.js';
import { anonymousIdCookie, cookieValue, parseSubmissionBody, submitLimits } from './domain/wire.js';

const noStore = { 'cache-control': 'no-store' };

const words: Record<Locale, { invalid: string; refused: string; back: string; thanks: string }> = {
  ja: { invalid: '入力内容をご確認ください', refused: '送信できませんでした。ページを再読み込みして、もう一度お試しください。', back: 'フォームに戻る', thanks: '送信しました' },
  en: { invalid: 'Please check your entries', refused: 'Your submission could not be accepted. Reload the page and try again.', back: 'Back to the form', thanks: 'Sent' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal accessible page (the real pages are the landing pages' layouts). */
function page(statusCode: number, locale: Locale, title: string, body: string): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      ...noStore,
    },
    body:
      `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  };
}

/** The page the form was on, for a link back: `_url`, else the Referer; http(s) only. */
function backLink(req: HttpRequest, inputs: Record<string, string>): string | undefined {
  const to = inputs._url || req.headers.referer;
  return to && /^https?:\/\//i.test(to) ? to : undefined;
}

function answer(outcome: SubmitOutcome, formPost: boolean, req: HttpRequest, inputs: Record<string, string>, ports: FormsPorts): HttpResult {
  const { form, locale } = outcome;
  const w = words[locale];
  const back = backLink(req, inputs);
  const backHtml = back ? `<p><a href="${escapeHtml(back)}">${escapeHtml(w.back)}</a></p>` : '';
  switch (outcome.kind) {
    case 'accepted': {
      const view = publicForm(form, locale);
      const redirect = redirectOf(form, ports.apiBase);
      if (formPost) {
        if (redirect) return { statusCode: 303, headers: { location: redirect, ...noStore }, body: '' };
        return page(200, locale, w.thanks, `<p role="status">${escapeHtml(view.successMessage)}</p>`);
      }
      return json(200, { success: true, submissionId: outcome.submissionId, message: view.successMessage, ...(redirect ? { redirect } : {}) }, noStore);
    }
    case 'invalid': {
      if (formPost) {
        const view = publicForm(form, locale);
        const labelOf = (field: string) =>
          view.fields.find((f) => f.name === field)?.label ?? view.consents.find((c) => consentInput(c.id) === field)?.text.slice(0, 80) ?? field;
        const items = outcome.errors.map((e) => `<li>${escapeHtml(labelOf(e.field))}: ${escapeHtml(e.message)}</li>`).join('');
        return page(400, locale, w.invalid, `<ul role="alert">${items}</ul>${backHtml}`);
      }
      const first = outcome.errors[0]!;
      return json(400, { success: false, error: `${first.field}: ${first.message}`, field: first.field, errors: outcome.errors }, noStore);
    }
    case 'refused':
      if (formPost) return page(422, locale, textIn(form.title, locale), `<p role="alert">${escapeHtml(w.refused)}</p>${backHtml}`);
      return json(422, { success: false, error: 'submission refused', reason: outcome.reason, field: outcome.field }, noStore);
  }
}

const cookieOf = (req: HttpRequest) => cookieValue(req.event.cookies ?? req.headers.cookie, anonymousIdCookie);

const formQuery = z.object({
  lang: z.optional(z.enum(['ja', 'en'])),
  aid: z.optional(z.string()),
  page: z.optional(z.string()),
});

const publicFormSchema = {
  type: 'object',
  description: 'The form in one language (functions/forms/domain/public-form.ts PublicForm) and its render token, to post back as `_token`',
  properties: {
    id: { type: 'string' },
    locale: { enum: ['ja', 'en'] },
    title: { type: 'string' },
    fields: { type: 'array', items: { type: 'object' } },
    consents: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' }, version: { type: 'string' } } } },
    submitLabel: { type: 'string' },
    honeypot: { type: 'string' },
    successMessage: { type: 'string' },
    redirect: { type: 'string' },
    skipped: { type: 'array', items: { type: 'string' } },
    token: { type: 'string' },
  },
  required: ['id', 'locale', 'title', 'fields', 'consents', 'token'],
};

const getDoc: RouteDoc = {
  summary: 'A form as a visitor sees it',
  description:
    'The form in the visitor\'s language (`lang`, else Accept-Language, else the form\'s), with a fresh render token (valid 24 h) to send back as `_token`. ' +
    'With the visitor\'s anonymous id (`aid`, else the `nurture_aid` cookie), fields marked `progressive` whose trait the profile has are left out (`skipped`). Never cached.',
  tags: ['forms'],
  query: formQuery,
  responses: {
    '200': { description: 'The public form', schema: publicFormSchema },
    '403': { description: 'Browser origin not allowed', schema: clientErrorSchema },
    '404': { description: 'No such form, or its definition failed its check; `field` is `id`', schema: clientErrorSchema },
  },
};

const submitDoc: RouteDoc = {
  summary: 'Submit a form',
  description:
    `A JSON object of input names to strings or booleans, or a form post (\`application/x-www-form-urlencoded\`, answered with a page). ` +
    `Inputs: the form's fields by name, \`_token\` (required), \`_consent.<id>\` for each ticked consent, optionally \`_sid\` (submission id, 8-64 chars: ` +
    `the same id answers the same without doing anything again), \`_aid\`, \`_lang\`, \`_page\`, \`_url\`, \`_ref\`, \`utm_*\`, and the honeypot \`_hp\` left empty. ` +
    `Limits: body ${submitLimits.bodyBytes / 1024} KB, ${submitLimits.inputs} inputs, ${submitLimits.valueChars} characters a value. ` +
    `Refused as spam (422): a missing, forged, expired or other form's token, a filled honeypot, a submission sooner than the form's minimum fill time (default 3 s) ` +
    `after the token, more than ${rateLimit.max} submissions in ${rateLimit.windowMs / 60_000} minutes from one network (IPv4 /24, IPv6 /48). ` +
    'Accepted: the visitor is identified by the email field (their anonymous history becomes the named lead\'s), `Form Submitted` is recorded, ticked consents are recorded with their text version.',
  tags: ['forms'],
  body: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'boolean' }] } },
  bodyTypes: ['application/json', 'application/x-www-form-urlencoded'],
  responses: {
    '200': {
      description: 'Accepted (JSON); a form post gets a thank-you page',
      schema: { type: 'object', properties: { success: { const: true }, submissionId: { type: 'string' }, message: { type: 'string' }, redirect: { type: 'string' } } },
    },
    '303': { description: 'Accepted form post, to the form\'s `submit.redirect`' },
    '400': {
      description: 'Invalid fields: `field` names the first, `errors` lists each with `code` and a message in the visitor\'s language (a form post gets a page listing them)',
      schema: { ...clientErrorSchema, properties: { ...(clientErrorSchema.properties as object), errors: { type: 'array', items: { type: 'object' } } } },
    },
    '403': { description: 'Browser origin not allowed', schema: clientErrorSchema },
    '404': { description: 'No such form; `field` is `id`', schema: clientErrorSchema },
    '413': { description: `Body over ${submitLimits.bodyBytes / 1024} KB`, schema: clientErrorSchema },
    '422': {
      description: 'Refused as spam; nothing is recorded but the form\'s daily refused count (a form post gets a page)',
      schema: { ...clientErrorSchema, properties: { ...(clientErrorSchema.properties as object), reason: { enum: [...spamReasons] } } },
    },
  },
};

export const submitRoutes = routesOf<FormsPorts>('forms', [
  {
    method: 'GET',
    path: '/v1/forms/{id}',
    cors: true,
    doc: getDoc,
    async handle(req, ports) {
      // Lenient: a language Nurture does not speak falls back to Accept-Language, never a 400 to a visitor.
      const { lang, aid: queryAid, page: slug } = req.query;
      const query = { ...(lang === 'ja' || lang === 'en' ? { lang } : {}), ...(slug ? { page: slug } : {}) };
      const aid = queryAid || cookieOf(req);
      const acceptLanguage = req.headers['accept-language'];
      const view = await renderForm(
        { formId: req.params.id!, ...(query.lang ? { lang: query.lang } : {}), ...(acceptLanguage ? { acceptLanguage } : {}), ...(aid ? { anonymousId: aid } : {}), ...(query.page ? { page: query.page } : {}) },
        ports,
      );
      return json(200, view, noStore);
    },
  },
  {
    method: 'POST',
    path: '/v1/forms/{id}/submit',
    cors: true,
    doc: submitDoc,
    async handle(req, ports) {
      const body = parseSubmissionBody(bodyText(req.event), bodyBytes(req.event), req.headers['content-type']);
      const h = req.headers;
      const cookie = cookieOf(req);
      const sourceIp = req.event.requestContext?.http?.sourceIp;
      const outcome = await submit(
        {
          formId: req.params.id!,
          body,
          ...(h['accept-language'] ? { acceptLanguage: h['accept-language'] } : {}),
          ...(cookie ? { cookieAnonymousId: cookie } : {}),
          ...(sourceIp ? { sourceIp } : {}),
          ...(h['user-agent'] ? { userAgent: h['user-agent'] } : {}),
          ...(h.referer ? { referer: h.referer } : {}),
        },
        ports,
      );
      return answer(outcome, body.formPost, req, body.inputs, ports);
    },
  },
]);
