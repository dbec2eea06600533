/**
 * HTTP routes of sending, with their OpenAPI documentation: the operator routes (suppressions, consent,
 * template check reports). Adding a route: a row here and a test.
 */
import { normalizeEmail } from '../identity/domain/keys.js';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { json, parseBody, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, type JsonSchema } from '../shared/route-docs.js';
import { addSuppressionBody, consentBody, maxSuppressionPage, suppressionsQuery } from './domain/admin-schemas.js';
import type { Consent, Profile } from '../profiles/domain/profile.js';
import type { CheckReport } from './domain/check.js';
import type { Suppression } from './domain/model.js';

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
        if (q.cursor && (err instanceof SyntaxError || (err as Error).name === 'ValidationException')) throw new BadRequestError('cursor', 'not a cursor from this list');
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
      tags: ['admin', 'email'],
      body: consentBody,
      responses: { '200': { description: 'Recorded (`changed: false` when it already was)' }, ...adminErrorResponses },
    },
    async handle(req, { store, now }) {
      const body = parseBody(consentBody, req);
      const found = await store.resolveProfile(req.params.id ?? '');
      if (!found) throw new NotFoundError(`no profile ${req.params.id}`, 'id');
      const record = { status: body.status, source: body.source, at: now().toISOString() };
      const changed = await store.setConsent(found.profileId, record);
      return json(200, { success: true, profileId: found.profileId, changed, consent: changed ? record : found.profile.consent });
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
export const sendingRoutes = [...sendingAdminRoutes];
