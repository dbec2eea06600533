/**
 * HTTP routes of sending, with their OpenAPI documentation: the public links in sent mail (open pixel,
 * click redirect, unsubscribe, view in browser) and the operator routes (suppressions, consent, template
 * check reports). Adding a route: a row here and a test.
 */
import * as z from 'zod/mini';
import { transparentGif } from '../ingest/domain/pixel.js';
import { normalizeEmail } from '../identity/domain/keys.js';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { bodyBytes, bodyText, type HttpResult, json, parseBody, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import { addSuppressionBody, consentBody, maxSuppressionPage, suppressionsQuery } from './domain/admin-schemas.js';
import type { Consent, Profile } from '../profiles/domain/profile.js';
import type { CheckReport } from './domain/check.js';
import type { ConsentRecord } from '../forms/domain/model.js';
import { claimsOf, type MailLinkPorts, recordClick, recordOpen, unsubscribe, viewMail } from './domain/mail-links.js';
import { honeypotWindowMs, signalsOf, tooFastClickMs } from './domain/machine.js';
import { unsubscribedPage, unsubscribePage } from './domain/pages.js';
import { maxUnsubscribeBodyBytes, unsubscribeChoice, unsubscribeFields } from './domain/unsubscribe-form.js';
import type { Suppression } from './domain/model.js';
import { InvalidCursorError, UnsubscribeBodyTooLargeError } from './errors.js';

const badToken = { '400': { description: 'The token is malformed, altered, or made for another purpose (`field: token`); never redirected', schema: clientErrorSchema } };
const htmlDoc = (description: string) => ({ description, contentType: 'text/html' });
/** Body of the unsubscribe POST: RFC 8058 one-click, or the page's form. */
const unsubscribeBody = z.object({ 'List-Unsubscribe': z.optional(z.literal('One-Click')), scope: z.optional(z.enum(['all', 'topic'])) });

/** A page for the recipient: never cached, and no referrer leaks the token to another site. */
const html = (body: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  body,
});

/** Public links in sent mail (no auth: the signed token is the credential). */
export const mailLinkRoutes = routesOf<MailLinkPorts>('mailLinks', [
  {
    method: 'GET',
    path: '/v1/t/o/{token}',
    doc: {
      summary: 'Open pixel of a sent mail',
      description:
        'Feeds "Email Opened" into the events stream (repeats within a minute count once). A fetch by a mail proxy (Apple Mail Privacy Protection, Gmail, Yahoo), a scanner or the local inbox page is recorded with `properties.machine: true` and `machineReason`, and never scores. Always answers the GIF.',
      tags: ['email'],
      responses: { '200': { description: 'A 1×1 transparent GIF', contentType: 'image/gif' }, ...badToken },
    },
    async handle(req, ports) {
      await recordOpen(req.params.token ?? '', signalsOf(req.headers), ports);
      return transparentGif();
    },
  },
  {
    method: 'GET',
    path: '/v1/t/c/{token}',
    doc: {
      summary: 'Tracked link of a sent mail',
      description:
        'Feeds "Email Link Clicked" into the events stream and redirects to the target signed into the token. A click by a link ' +
        `scanner (its user agent, within ${tooFastClickMs / 1000} s of the send, or within ${honeypotWindowMs / 1000} s after the mail's hidden honeypot link was followed) ` +
        'or the local inbox page is recorded with `properties.machine: true` and `machineReason`, and never scores or resumes a scenario. Always redirects.',
      tags: ['email'],
      responses: { '302': { description: 'Redirect to the link target (Location)' }, ...badToken },
    },
    async handle(req, ports) {
      const location = await recordClick(req.params.token ?? '', signalsOf(req.headers), ports);
      return { statusCode: 302, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, body: '' };
    },
  },
  {
    method: 'GET',
    path: '/v1/u/{token}',
    doc: {
      summary: 'Unsubscribe page',
      description: 'Changes nothing: offers unsubscribing from the mail’s topic or from all marketing email.',
      tags: ['email'],
      responses: { '200': htmlDoc('The page'), ...badToken },
    },
    async handle(req, ports) {
      const claims = claimsOf(ports.secret, 'unsubscribe', req.params.token ?? '');
      return html(unsubscribePage(`${ports.base}${req.event.rawPath}`, claims.k));
    },
  },
  {
    method: 'POST',
    path: '/v1/u/{token}',
    doc: {
      summary: 'Unsubscribe (RFC 8058 one-click, or the page’s form)',
      description:
        'Form field `List-Unsubscribe=One-Click` (all marketing email) or `scope=all|topic`, as `multipart/form-data` ' +
        '(what RFC 8058 recommends; its section 8.3 example is accepted as printed) or `application/x-www-form-urlencoded` ' +
        `(any other content type is read as URL-encoded). No cookie or CSRF token: the signed token is the credential. Body at most ${maxUnsubscribeBodyBytes} bytes. Idempotent.`,
      tags: ['email'],
      body: unsubscribeBody,
      bodyTypes: ['multipart/form-data', 'application/x-www-form-urlencoded'],
      responses: {
        '200': htmlDoc('Unsubscribed'),
        ...badToken,
        '404': { description: 'The recipient is no longer known', schema: clientErrorSchema },
        '413': { description: `Body over ${maxUnsubscribeBodyBytes} bytes (\`field: body\`)`, schema: clientErrorSchema },
      },
    },
    async handle(req, ports) {
      if (bodyBytes(req.event) > maxUnsubscribeBodyBytes) throw new UnsubscribeBodyTooLargeError(maxUnsubscribeBodyBytes);
      const choice = unsubscribeChoice(unsubscribeFields(req.headers['content-type'], bodyText(req.event)));
      const claims = await unsubscribe(req.params.token ?? '', choice, ports);
      return html(unsubscribedPage(choice.scope, claims.k));
    },
  },
  {
    method: 'GET',
    path: '/v1/v/{token}',
    doc: {
      summary: 'View a sent mail in the browser',
      tags: ['email'],
      responses: { '200': htmlDoc('The mail'), ...badToken, '404': { description: 'The mail is no longer available', schema: clientErrorSchema } },
    },
    async handle(req, ports) {
      return html(await viewMail(req.params.token ?? '', ports));
    },
  },
]);

/** What the sending admin function wires at module load (adapters/dynamo-sending-store.ts, s3-templates.ts). */
export interface SendingAdminPorts {
  store: {
    listSuppressions(limit: number, cursor?: string): Promise<{ items: Suppression[]; cursor?: string }>;
    suppress(s: Suppression): Promise<boolean>;
    lift(email: string): Promise<Suppression | undefined>;
    resolveProfile(profileId: string): Promise<{ profileId: string; profile: Profile } | undefined>;
    setConsent(profileId: string, consent: Consent): Promise<boolean>;
  };
  templates: { report(templateId: string): Promise<CheckReport | undefined> };
  /** The consent ledger (functions/forms/adapters/consent-store.ts). */
  consents: { list(profileId: string, limit?: number): Promise<ConsentRecord[]>; append(record: ConsentRecord): Promise<void> };
  now(): Date;
}

const suppression: JsonSchema = {
  type: 'object',
  properties: {
    email: { type: 'string' },
    reason: { enum: ['bounce', 'complaint', 'manual'] },
    at: { type: 'string' },
    source: { type: 'string' },
    detail: { type: 'string' },
    profileId: { type: 'string' },
  },
};

function emailParam(raw: string | undefined, field = 'email'): string {
  const email = normalizeEmail(raw ?? '');
  if (!email) throw new BadRequestError(field, 'not an email address');
  return email;
}

export const sendingAdminRoutes = routesOf<SendingAdminPorts>('sendingAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/suppressions',
    auth: 'admin',
    doc: {
      summary: 'Suppressed addresses, newest first',
      description: '`limit` 1–100 (default 50); `cursor` from the previous page.',
      tags: ['admin', 'email'],
      query: suppressionsQuery,
      responses: {
        '200': { description: 'A page', schema: { type: 'object', properties: { items: { type: 'array', items: suppression }, cursor: { type: 'string' } } } },
        ...adminErrorResponses,
      },
    },
    async handle(req, { store }) {
      const q = parseQuery(suppressionsQuery, req);
      const limit = q.limit === undefined ? 50 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > maxSuppressionPage) throw new BadRequestError('limit', `an integer from 1 to ${maxSuppressionPage}`);
      try {
        return json(200, { success: true, ...(await store.listSuppressions(limit, q.cursor)) });
      } catch (err) {
        if (err instanceof InvalidCursorError) throw new BadRequestError('cursor', err.message, { cause: err });
        throw err;
      }
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/suppressions',
    auth: 'admin',
    doc: {
      summary: 'Suppress an address (no mail at all)',
      tags: ['admin', 'email'],
      body: addSuppressionBody,
      responses: { '201': { description: 'Suppressed' }, '200': { description: 'Was suppressed already (the first cause is kept)' }, ...adminErrorResponses },
    },
    async handle(req, { store, now }) {
      const body = parseBody(addSuppressionBody, req);
      const email = emailParam(body.email);
      const created = await store.suppress({ email, reason: 'manual', at: now().toISOString(), source: 'operator', ...(body.detail ? { detail: body.detail } : {}) });
      return json(created ? 201 : 200, { success: true, email, created });
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/suppressions/{email}',
    auth: 'admin',
    doc: {
      summary: 'Lift a suppression',
      tags: ['admin', 'email'],
      responses: { '200': { description: 'Lifted', schema: { type: 'object', properties: { lifted: suppression } } }, ...adminErrorResponses },
    },
    async handle(req, { store }) {
      const email = emailParam(req.params.email);
      const lifted = await store.lift(email);
      if (!lifted) throw new NotFoundError(`${email} is not suppressed`, 'email');
      return json(200, { success: true, lifted });
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/profiles/{id}/consent',
    auth: 'admin',
    doc: {
      summary: 'Record marketing consent with its source',
      description: 'A change is also kept in the consent ledger (method `operator`, the source as its text).',
      tags: ['admin', 'email'],
      body: consentBody,
      responses: { '200': { description: 'Recorded (`changed: false` when it already was)' }, ...adminErrorResponses },
    },
    async handle(req, { store, consents, now }) {
      const body = parseBody(consentBody, req);
      const found = await store.resolveProfile(req.params.id ?? '');
      if (!found) throw new NotFoundError(`no profile ${req.params.id}`, 'id');
      const record = { status: body.status, source: body.source, at: now().toISOString() };
      const changed = await store.setConsent(found.profileId, record);
      if (changed) {
        await consents.append({
          profileId: found.profileId,
          purpose: 'email',
          consentId: 'email',
          status: body.status,
          method: 'operator',
          textVersion: 'operator',
          text: body.source,
          locale: 'en',
          at: record.at,
        });
      }
      return json(200, { success: true, profileId: found.profileId, changed, consent: changed ? record : found.profile.consent });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/profiles/{id}/consents',
    auth: 'admin',
    doc: {
      summary: 'The consent ledger of a person, newest first',
      description: `Every consent given or withdrawn: purpose, consent id, text version and wording, language, time, form and submission, network prefix, method (checkbox, double-opt-in, unsubscribe, operator, import). At most 100 records (the consent store's page).`,
      tags: ['admin', 'email'],
      responses: {
        '200': { description: 'The records', schema: { type: 'object', properties: { profileId: { type: 'string' }, items: { type: 'array', items: { type: 'object' } } } } },
        ...adminErrorResponses,
      },
    },
    async handle(req, { store, consents }) {
      const found = await store.resolveProfile(req.params.id ?? '');
      if (!found) throw new NotFoundError(`no profile ${req.params.id}`, 'id');
      const items = await consents.list(found.profileId);
      return json(200, { success: true, profileId: found.profileId, items });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/templates/{id}',
    auth: 'admin',
    doc: {
      summary: 'The check report of an email template',
      description: 'Errors with their lines, warnings, the preview for the sample profile, and the compiled template.',
      tags: ['admin', 'email'],
      responses: { '200': { description: 'The report', schema: { type: 'object', properties: { report: { type: 'object' } } } }, ...adminErrorResponses },
    },
    async handle(req, { templates }) {
      const id = req.params.id ?? '';
      const report = /^[a-z0-9][a-z0-9_-]{0,63}$/.test(id) ? await templates.report(id) : undefined;
      if (!report) throw new NotFoundError(`no check report for template ${id}: upload templates/${id}.liquid or .mjml`, 'id');
      return json(200, { success: true, report });
    },
  },
]);

/** Every route of sending. */
export const sendingRoutes = [...mailLinkRoutes, ...sendingAdminRoutes];
