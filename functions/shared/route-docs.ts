/**
 * OpenAPI documentation of a route, kept beside the route in its capability's routes module. Bodies and
 * queries are the zod schemas the handler validates with (or JSON Schema where no zod schema exists), so
 * the document cannot drift from what the handler accepts. functions/api/openapi.ts assembles them.
 */
import type * as core from 'zod/v4/core';

export type JsonSchema = Record<string, unknown>;

export interface RouteDoc {
  summary: string;
  description?: string;
  tags: string[];
  body?: core.$ZodType | JsonSchema;
  /** Content types the body is accepted in (default: `application/json` and `text/plain`). */
  bodyTypes?: readonly string[];
  query?: core.$ZodType;
  responses: Record<string, { description: string; schema?: JsonSchema; contentType?: string }>;
}

/** `{success:false, error, field?}`: the body of every 4xx answer (shared/http.ts httpErrors). */
export const clientErrorSchema: JsonSchema = {
  type: 'object',
  properties: { success: { const: false }, error: { type: 'string' }, field: { type: 'string' } },
  required: ['success', 'error'],
};

/** Answers every admin route may give besides its own. */
export const adminErrorResponses: RouteDoc['responses'] = {
  '400': { description: 'Bad parameter; `field` names it', schema: clientErrorSchema },
  '401': { description: 'No credentials (locally: no admin token)' },
  '403': { description: 'Credentials not accepted' },
  '404': { description: 'Not found', schema: clientErrorSchema },
};
