/**
 * The local API Gateway in front of the HTTP functions: routes from functions/api/routes.ts with path
 * parameters, the admin token where AWS has the IAM authorizer, /openapi.json, and 404/405 as AWS answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { routes } from '../../functions/api/routes.js';
import { functionEntries, type FunctionName } from '../../functions/shared/functions.js';
import { type HttpHandler, invokeHttp } from '../emulators/api-gateway.js';
import { asFunction } from '../iam/index.js';
import { repoRoot } from './context.js';

/** Imports every HTTP function's handler (after the plugins have set the env they read at cold start). */
export async function loadHandlers(): Promise<Record<FunctionName, HttpHandler>> {
  const out = {} as Record<FunctionName, HttpHandler>;
  const httpFunctions = new Set(routes.map((r) => r.fn));
  for (const [name, entry] of Object.entries(functionEntries) as [FunctionName, string][]) {
    if (!httpFunctions.has(name)) continue;
    const mod = (await import(join(repoRoot, entry))) as { handler: HttpHandler };
    out[name] = asFunction(name, mod.handler);
  }
  return out;
}

/** The API's request listener: what API Gateway does in front of the functions (routes, admin auth, errors). */
export function apiListener(handlers: Record<FunctionName, HttpHandler>, apiUrl: string, adminToken: string) {
  return (req: IncomingMessage, res: ServerResponse) => routeApi(req, res, handlers, apiUrl, adminToken);
}

async function routeApi(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: Record<FunctionName, HttpHandler>,
  apiUrl: string,
  adminToken: string,
): Promise<void> {
  const path = new URL(req.url ?? '/', apiUrl).pathname;
  const method = req.method ?? 'GET';
  try {
    decodeURIComponent(path);
  } catch {
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ success: false, error: 'the path has a malformed %-escape', field: 'path' }));
    return;
  }
  if (path === '/openapi.json' && method === 'GET') {
    const { openApiDocument } = await import('../../functions/api/openapi.js');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(openApiDocument(apiUrl), null, 2));
    return;
  }
  const match = matchRoute(method, path);
  const route = match?.route;
  if (!match || !route) {
    const known = routes.some((r) => matchPath(r.path, path));
    res
      .writeHead(known ? 405 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ success: false, error: known ? 'method not allowed' : 'not found' }));
    return;
  }
  if (route.auth === 'admin' && method !== 'OPTIONS') {
    // What API Gateway's IAM authorizer does on AWS: no credentials 401, wrong ones 403.
    const auth = req.headers.authorization;
    if (!auth) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"success":false,"error":"admin token required: Authorization: Bearer <token printed by npm start>"}');
      return;
    }
    if (auth !== `Bearer ${adminToken}`) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"success":false,"error":"admin token not accepted"}');
      return;
    }
  }
  await invokeHttp(req, res, `${route.method} ${route.path}`, route.fn, handlers[route.fn], match.pathParameters);
}

/**
 * Finds the route for a request; `{name}` segments capture path parameters, `{proxy+}` the rest. Among
 * templates matching one path the most specific wins, as on API Gateway: at the first segment where they
 * differ, a literal beats a parameter (`/v1/forms/confirm` over `/v1/forms/{id}`).
 */
function matchRoute(method: string, path: string) {
  let best: { route: (typeof routes)[number]; pathParameters: Record<string, string> } | undefined;
  for (const route of routes) {
    if (route.method !== method && !(method === 'OPTIONS' && route.cors)) continue;
    const params = matchPath(route.path, path);
    if (params && (!best || moreSpecific(route.path, best.route.path))) best = { route, pathParameters: params };
  }
  return best;
}

/** Whether template `a` is more specific than `b`: at their first differing segment kind, `a` has the literal. */
function moreSpecific(a: string, b: string): boolean {
  const [sa, sb] = [a.split('/'), b.split('/')];
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const [pa, pb] = [sa[i]!.startsWith('{'), sb[i]!.startsWith('{')];
    if (pa !== pb) return !pa;
  }
  return false;
}

export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const greedy = /^\{(\w+)\+\}$/.exec(seg);
    if (greedy) {
      if (i >= p.length) return undefined;
      params[greedy[1]!] = p.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    if (i >= p.length) return undefined;
    const param = /^\{(\w+)\}$/.exec(seg);
    if (param) {
      if (!p[i]) return undefined;
      params[param[1]!] = decodeURIComponent(p[i]!);
    } else if (seg !== p[i]) return undefined;
  }
  return t.length === p.length ? params : undefined;
}
