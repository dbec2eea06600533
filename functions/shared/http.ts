import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import './zod-messages.js';
import { BadRequestError, ClientError, NotFoundError } from './errors.js';
import type { FunctionName } from './functions.js';
import type { RouteDoc } from './route-docs.js';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** Lower-cases header names: API Gateway v2 already does, other callers (tests, local mode) may not. */
export function headersOf(event: Pick<APIGatewayProxyEventV2, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** The raw request body as text, decoding API Gateway's base64 form. */
export function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The raw request body as bytes, decoding API Gateway's base64 form (compressed bodies come that way). */
export function bodyBuffer(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** Size in bytes of the body as received. */
export function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

/**
 * middy middleware: ClientError → its status and a JSON body `{success:false, error, ...details}`;
 * anything else → 500 `{success:false, error:'internal error'}` and a structured log line.
 */
export function httpErrors(opts: { log: (entry: Record<string, unknown>) => void }): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const { log } = opts;
  return {
    onError: function httpErrorsOnError(request) {
      const err = request.error;
      if (err instanceof ClientError) {
        request.response = json(err.statusCode, { success: false, error: err.message, ...err.details });
        return;
      }
      log({
        level: 'ERROR',
        message: 'unhandled error',
        error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
        requestId: request.context?.awsRequestId,
      });
      request.response = json(500, { success: false, error: 'internal error' });
    },
  };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What CDK and the local server need of a route: where it is, which function serves it, who may call it. */
export interface RouteDef {
  readonly method: HttpMethod;
  readonly path: string;
  readonly fn: FunctionName;
  /** Browser-facing routes get CORS handling from the allow-list of site origins. */
  readonly cors: boolean;
  /**
   * `admin`: only operators and their tools. On AWS the route has the IAM authorizer (SigV4); locally the
   * HTTP server requires `Authorization: Bearer <local admin token>`. Handlers never check it themselves.
   */
  readonly auth?: 'admin';
}

/** One request as a route handler sees it: header names lower-cased, path parameters decoded. */
export interface HttpRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly headers: Record<string, string>;
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
}

/**
 * A route with its documentation and its handler. `handle` gets the ports its function wired at module
 * load (adapters), so a routes module imports domain code and types only, never the AWS SDK.
 */
export interface Route<P> extends RouteDef {
  readonly doc: RouteDoc;
  handle(req: HttpRequest, ports: P): Promise<HttpResult>;
}

type RouteInput<P> = Omit<Route<P>, 'fn' | 'cors'> & { readonly cors?: boolean };

/** The routes one function serves (a capability's routes module exports one such list per function). */
export function routesOf<P>(fn: FunctionName, routes: readonly RouteInput<P>[]): Route<P>[] {
  return routes.map((r) => ({ cors: false, ...r, fn }));
}

export const routeKeyOf = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(name, 'malformed %-escape in the path');
  }
}

/** A path template's segments (`/v1/admin/segments/{id}` → ['v1','admin','segments','{id}']). */
const segmentsOf = (path: string) => path.split('/').slice(1);
const isParam = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/** `path`'s raw (still %-escaped) parameters if it matches `template`, else undefined. */
function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = segmentsOf(template);
  const got = segmentsOf(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, w] of want.entries()) {
    const g = got[i]!;
    if (isParam(w)) {
      if (!g) return undefined;
      params[w.slice(1, -1)] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}

/** API Gateway's precedence among templates matching one path: at the first difference, a literal wins. */
function moreSpecific(a: string, b: string): number {
  const [sa, sb] = [segmentsOf(a), segmentsOf(b)];
  for (const [i, x] of sa.entries()) if (isParam(x) !== isParam(sb[i]!)) return isParam(x) ? 1 : -1;
  return 0;
}

/**
 * The route of a request that came through a greedy route (`ANY /v1/admin/segments/{proxy+}`, see
 * infra/routes.ts): matched by method and path like API Gateway would, with the path's raw parameters.
 * A path no route serves is a 404 naming the path; a served path with another method, a 405 naming the
 * method and listing the allowed ones.
 */
function matchGreedy<P>(routes: readonly Route<P>[], event: APIGatewayProxyEventV2): { route: Route<P>; params: Record<string, string> } {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const matches = routes
    .map((route) => ({ route, params: matchTemplate(route.path, path) }))
    .filter((m): m is { route: Route<P>; params: Record<string, string> } => m.params !== undefined)
    .sort((a, b) => moreSpecific(a.route.path, b.route.path));
  if (matches.length === 0) throw new NotFoundError(`no route for ${method} ${path}`, 'path');
  // Only the most specific template's methods: `/segments/preview` is never `/segments/{id}`.
  const best = matches.filter((m) => m.route.path === matches[0]!.route.path);
  const hit = best.find((m) => m.route.method === method);
  if (!hit) {
    const allow = best.map((m) => m.route.method);
    throw new ClientError(405, `method ${method} not allowed on ${path} (allowed: ${allow.join(', ')})`, { field: 'method', allow });
  }
  return hit;
}

/**
 * The request handler of a function serving `routes`: dispatches on API Gateway's `routeKey`
 * (`GET /v1/admin/leads`), or for a greedy `ANY` route on the request's method and path, and decodes
 * path parameters (a malformed escape is a 400 naming the parameter).
 */
export function serveRoutes<P>(routes: readonly Route<P>[], ports: P) {
  const byKey = new Map(routes.map((r) => [routeKeyOf(r), r]));
  return async function serveRoute(event: APIGatewayProxyEventV2): Promise<HttpResult> {
    let route = byKey.get(event.routeKey);
    let rawParams = event.pathParameters ?? {};
    if (!route && event.routeKey.startsWith('ANY ')) ({ route, params: rawParams } = matchGreedy(routes, event));
    if (!route) throw new NotFoundError(`no route ${event.routeKey}`, 'path');
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawParams)) if (v !== undefined) params[k] = decodeParam(k, v);
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
    return route.handle({ event, headers: headersOf(event), params, query }, ports);
  };
}

function fieldOf(issue: core.$ZodIssue, fallback: string): string {
  let out = '';
  for (const p of issue.path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || fallback;
}

/** Validates with `schema`; the first issue becomes a 400 naming its field (`batch[3].event`). */
export function parseWith<T extends core.$ZodType>(schema: T, value: unknown, fallbackField: string): core.output<T> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new BadRequestError(fieldOf(issue, fallbackField), issue.message);
}

/**
 * The body parsed by its content type (JSON, or `application/x-www-form-urlencoded` as an object of
 * strings) and validated with `schema`. An empty body is `{}`.
 */
export function parseBody<T extends core.$ZodType>(schema: T, req: Pick<HttpRequest, 'event' | 'headers'>): core.output<T> {
  const text = bodyText(req.event);
  let raw: unknown = {};
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    raw = Object.fromEntries(new URLSearchParams(text));
  } else if (text.trim()) {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new BadRequestError('body', 'not valid JSON');
    }
  }
  return parseWith(schema, raw, 'body');
}

/** The query string validated with `schema` (values are strings; let the schema coerce). */
export function parseQuery<T extends core.$ZodType>(schema: T, req: Pick<HttpRequest, 'query'>): core.output<T> {
  return parseWith(schema, req.query, 'query');
}
