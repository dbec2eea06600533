/**
 * The OpenAPI 3.1 document of Nurture's HTTP API, built from every route (functions/api/routes.ts) and the
 * documentation each routes module keeps beside its handlers, whose bodies and queries are the zod
 * schemas the handlers validate with. Served by `npm start` at /openapi.json; a test checks it against the
 * routes that exist. Pure.
 */
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { routeKeyOf } from '../shared/http.js';
import type { JsonSchema } from '../shared/route-docs.js';
import { type DocumentedRoute, routes as allRoutes } from './routes.js';

function schemaOf(s: core.$ZodType | JsonSchema): JsonSchema {
  if (s && typeof s === 'object' && '_zod' in s) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(s as core.$ZodType, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
    return json;
  }
  return s as JsonSchema;
}

/** Body content types of a route that names none: JSON, and text/plain for sendBeacon (no CORS preflight). */
const defaultBodyTypes = ['application/json', 'text/plain'];

/** `GET /v1/admin/leads` → `getV1AdminLeads`. */
function operationId(route: DocumentedRoute): string {
  return `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`;
}

function operation(route: DocumentedRoute): Record<string, unknown> {
  const { doc } = route;
  const params: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = doc.query ? schemaOf(doc.query) : undefined;
  const requiredQuery = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>)) {
    params.push({ name, in: 'query', required: requiredQuery.has(name), schema });
  }
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    operationId: operationId(route),
    ...(params.length ? { parameters: params } : {}),
    ...(doc.body
      ? { requestBody: { required: true, content: Object.fromEntries((doc.bodyTypes ?? defaultBodyTypes).map((t) => [t, { schema: schemaOf(doc.body!) }])) } }
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

/** Builds the document for the API at `serverUrl`; throws naming a route listed twice. */
export function openApiDocument(serverUrl: string, routes: readonly DocumentedRoute[] = allRoutes): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const ops = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (ops[method]) throw new Error(`route ${routeKeyOf(route)} is listed twice`);
    ops[method] = operation(route);
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
