import * as z from 'zod/mini';
import { addSuppressionBody, consentBody, suppressionsQuery } from '../functions/sending/domain/admin-schemas.js';
import type { RouteDoc } from './openapi.js';

const clientError = {
  type: 'object',
  properties: { success: { const: false }, error: { type: 'string' }, field: { type: 'string' } },
  required: ['success', 'error'],
};
const badToken = { '400': { description: 'The token is malformed, altered, or made for another purpose (`field: token`); never redirected', schema: clientError } };
const html = (description: string) => ({ description, contentType: 'text/html' });
const adminErrors = {
  '400': { description: 'Bad parameter; `field` names it', schema: clientError },
  '401': { description: 'No credentials (locally: no admin token)' },
  '403': { description: 'Credentials not accepted' },
  '404': { description: 'Not found', schema: clientError },
};
const suppression = {
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

/** OpenAPI documentation of the sending routes (mail links and the operator API). */
export const sendingRouteDocs: Record<string, RouteDoc> = {
  'GET /v1/t/o/{token}': {
    summary: 'Open pixel of a sent mail',
    description: 'Feeds "Email Opened" into the events stream (repeats within a minute count once).',
    tags: ['email'],
    responses: { '200': { description: 'A 1×1 transparent GIF', contentType: 'image/gif' }, ...badToken },
  },
  'GET /v1/t/c/{token}': {
    summary: 'Tracked link of a sent mail',
    description: 'Feeds "Email Link Clicked" into the events stream and redirects to the target signed into the token.',
    tags: ['email'],
    responses: { '302': { description: 'Redirect to the link target (Location)' }, ...badToken },
  },
  'GET /v1/u/{token}': {
    summary: 'Unsubscribe page',
    description: 'Changes nothing: offers unsubscribing from the mail’s topic or from all marketing email.',
    tags: ['email'],
    responses: { '200': html('The page'), ...badToken },
  },
  'POST /v1/u/{token}': {
    summary: 'Unsubscribe (RFC 8058 one-click, or the page’s form)',
    description: 'Form body `List-Unsubscribe=One-Click` (all marketing email) or `scope=all|topic`. Idempotent.',
    tags: ['email'],
    body: z.object({ 'List-Unsubscribe': z.optional(z.literal('One-Click')), scope: z.optional(z.enum(['all', 'topic'])) }),
    responses: {
      '200': html('Unsubscribed'),
      ...badToken,
      '404': { description: 'The recipient is no longer known', schema: clientError },
    },
  },
  'GET /v1/v/{token}': {
    summary: 'View a sent mail in the browser',
    tags: ['email'],
    responses: { '200': html('The mail'), ...badToken, '404': { description: 'The mail is no longer available', schema: clientError } },
  },
  'GET /v1/admin/suppressions': {
    summary: 'Suppressed addresses, newest first',
    description: '`limit` 1–100 (default 50); `cursor` from the previous page.',
    tags: ['admin', 'email'],
    query: suppressionsQuery,
    responses: {
      '200': { description: 'A page', schema: { type: 'object', properties: { items: { type: 'array', items: suppression }, cursor: { type: 'string' } } } },
      ...adminErrors,
    },
  },
  'POST /v1/admin/suppressions': {
    summary: 'Suppress an address (no mail at all)',
    tags: ['admin', 'email'],
    body: addSuppressionBody,
    responses: {
      '201': { description: 'Suppressed' },
      '200': { description: 'Was suppressed already (the first cause is kept)' },
      ...adminErrors,
    },
  },
  'DELETE /v1/admin/suppressions/{email}': {
    summary: 'Lift a suppression',
    tags: ['admin', 'email'],
    responses: { '200': { description: 'Lifted', schema: { type: 'object', properties: { lifted: suppression } } }, ...adminErrors },
  },
  'POST /v1/admin/profiles/{id}/consent': {
    summary: 'Record marketing consent with its source',
    tags: ['admin', 'email'],
    body: consentBody,
    responses: { '200': { description: 'Recorded (`changed: false` when the status was already that)' }, ...adminErrors },
  },
  'GET /v1/admin/templates/{id}': {
    summary: 'The check report of an email template',
    description: 'Errors with their lines, warnings, the preview for the sample profile, and the compiled template.',
    tags: ['admin', 'email'],
    responses: { '200': { description: 'The report', schema: { type: 'object', properties: { report: { type: 'object' } } } }, ...adminErrors },
  },
};
