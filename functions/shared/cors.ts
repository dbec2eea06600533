import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ClientError } from './errors.js';
import type { HttpResult } from './http.js';

/** A browser request from an origin outside the allow-list. */
export class ForbiddenOriginError extends ClientError {
  override name = 'ForbiddenOriginError';
  constructor(origin: string) {
    super(403, `origin ${origin} is not allowed`, { field: 'origin' });
  }
}

/** Preflight answers may be cached by the browser this long (seconds); Chromium caps at 7200. */
export const corsMaxAgeSeconds = 7200;

/**
 * Decides CORS for an allow-list of origins ("*" allows any). Requests without an Origin header are
 * server-to-server (Segment SDKs, curl) and are not subject to CORS.
 */
export function corsHeadersFor(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  const normalized = origin.replace(/\/$/, '').toLowerCase();
  const ok = allowed.some((a) => a === '*' || a.replace(/\/$/, '').toLowerCase() === normalized);
  if (!ok) throw new ForbiddenOriginError(origin);
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET,POST,OPTIONS',
    'access-control-allow-headers': 'content-type,authorization',
    'access-control-max-age': String(corsMaxAgeSeconds),
    vary: 'origin',
  };
}

/**
 * middy middleware: refuses disallowed origins (403), answers preflight (204), and adds CORS headers to
 * every answer, errors included, so a browser can read why it failed.
 */
export function cors(allowed: readonly string[]): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const headersOf = (event: APIGatewayProxyEventV2) => {
    const origin = event.headers?.origin ?? event.headers?.Origin;
    try {
      return corsHeadersFor(allowed, origin);
    } catch {
      return {};
    }
  };
  return {
    before: function corsBefore(request) {
      const origin = request.event.headers?.origin ?? request.event.headers?.Origin;
      const headers = corsHeadersFor(allowed, origin);
      if (request.event.requestContext?.http?.method === 'OPTIONS') {
        return { statusCode: 204, headers, body: '' };
      }
      return undefined;
    },
    after: function corsAfter(request) {
      if (request.response) request.response.headers = { ...request.response.headers, ...headersOf(request.event) };
    },
    onError: function corsOnError(request) {
      if (request.response) request.response.headers = { ...request.response.headers, ...headersOf(request.event) };
    },
  };
}
