import * as z from 'zod/mini';

import type { RouteDoc } from './openapi.js';

const clientError = {
  type: 'object',
  properties: { success: { const: false }, error: { type: 'string' }, field: { type: 'string' } },
  required: ['success', 'error'],
};
const badToken = { '400': { description: 'The token is malformed, altered, or made for another purpose (`field: token`); never redirected', schema: clientError } };
const html = (description: string) => ({ description, contentType: 'text/html' });

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
};
