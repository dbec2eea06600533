/**
 * The OpenAPI 3.1 document of Nurture's HTTP API, generated from the routes (functions/shared/routes.ts)
 * and the zod schemas their handlers validate with. Served by `npm start` at /openapi.json; a test checks
 * it against the routes that exist.
 */
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import type { RouteDoc } from '../functions/shared/route-docs.js';
import { aliasSchema, batchSchema, groupSchema, identifySchema, pageSchema, screenSchema, trackSchema } from '../functions/ingest/domain/schema.js';
import { documentedRoutes, routes } from '../functions/api/routes.js';
import type { RouteDef } from '../functions/shared/http.js';
import { extraRouteDocs } from './openapi-routes.js';

type JsonSchema = Record<string, unknown>;

export type { RouteDoc };

const ok = { type: 'object', properties: { success: { const: true } }, required: ['success'] };
const clientError = {
  type: 'object',
  properties: { success: { const: false }, error: { type: 'string' }, field: { type: 'string' } },
  required: ['success', 'error'],
};
const ingestResponses = {
  '200': {
    description: 'Stored. For a batch, invalid messages are listed and the rest are stored.',
    schema: {
      ...ok,
      properties: {
        ...ok.properties,
        rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, field: { type: 'string' }, error: { type: 'string' } } } },
      },
    },
  },
  '400': { description: 'Malformed body or no valid message; `field` names the bad field', schema: clientError },
  '401': { description: 'Missing or unknown write key', schema: clientError },
  '403': { description: 'Browser origin not allowed', schema: clientError },
  '413': { description: 'Body over 500 KB, or a single message over 32 KB', schema: clientError },
  '503': { description: 'Events could not be stored durably; retry (messageId makes it safe)', schema: clientError },
};

const single = (summary: string, schema: core.$ZodType): RouteDoc => ({
  summary,
  description: 'Segment HTTP Tracking API. The message type is taken from the path.',
  tags: ['ingest'],
  body: schema,
  responses: ingestResponses,
});

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Documentation of every route, by `METHOD path`. */
export const routeDocs: Record<string, RouteDoc> = {
  ...Object.fromEntries(documentedRoutes.map((r) => [routeKey(r), r.doc])),
  'POST /v1/batch': {
    summary: 'Send a batch of messages',
    description: 'Segment HTTP Tracking API batch; each message carries its `type`.',
    tags: ['ingest'],
    body: batchSchema,
    responses: ingestResponses,
  },
  'POST /v1/track': single('Record an action', trackSchema),
  'POST /v1/page': single('Record a page view', pageSchema),
  'POST /v1/screen': single('Record an app screen view', screenSchema),
  'POST /v1/identify': single('Tie a visitor to a known identity and traits', identifySchema),
  'POST /v1/alias': single('Link an earlier id to a user id', aliasSchema),
  'POST /v1/group': single('Associate a visitor with a group (company)', groupSchema),
  'GET /v1/pixel.gif': {
    summary: 'Tracking pixel',
    description: 'For pages without script and email clients. Always answers a 1×1 GIF; bad data is counted and logged, never stored.',
    tags: ['ingest'],
    query: z.object({ data: z.string(), writeKey: z.optional(z.string()) }),
    responses: { '200': { description: 'A 1×1 transparent GIF', contentType: 'image/gif' } },
  },
  ...extraRouteDocs,
};



function schemaOf(s: core.$ZodType | JsonSchema): JsonSchema {
  if (s && typeof s === 'object' && '_zod' in s) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(s as core.$ZodType, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
    return json;
  }
  return s as JsonSchema;
}

/** Builds the document; throws naming any route without documentation. */
export function openApiDocument(serverUrl: string): JsonSchema {
  const missing = routes.filter((r) => !routeDocs[routeKey(r)]);
  if (missing.length) throw new Error(`routes without documentation in local/openapi.ts: ${missing.map(routeKey).join(', ')}`);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = routeDocs[routeKey(route)]!;
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = doc.query ? schemaOf(doc.query) : undefined;
    const queryProps = (query?.properties ?? {}) as Record<string, JsonSchema>;
    const requiredQuery = new Set((query?.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(queryProps)) params.push({ name, in: 'query', required: requiredQuery.has(name), schema } as never);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
      ...(params.length ? { parameters: params } : {}),
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(doc.body) }, 'text/plain': { schema: schemaOf(doc.body) } },
            },
          }
        : {}),
      security: route.auth === 'admin' ? [{ admin: [] }] : route.fn === 'collect' ? [{ writeKey: [] }, {}] : [],
      responses: Object.fromEntries(
        Object.entries(doc.responses).map(([status, r]) => [
          status,
          { description: r.description, ...(r.schema || r.contentType ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema ?? {} } } } : {}) },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Nurture API', version: '0.1.0', description: 'Tracking (Segment-compatible), email links and the admin API of Nurture.' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        writeKey: { type: 'http', scheme: 'basic', description: 'The write key as user name, empty password (or "writeKey" in the body).' },
        admin: { type: 'http', scheme: 'bearer', description: 'Locally: the admin token printed by npm start. On AWS: IAM (SigV4-signed requests).' },
      },
    },
    paths,
  };
}
