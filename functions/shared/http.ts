import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ClientError } from './errors.js';

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

/** Size in bytes of the body as received. */
export function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body, 'utf8');
}

/**
 * middy middleware: ClientError → its status and a JSON body `{success:false, error, ...details}`;
 * anything else → 500 `{success:false, error:'internal error'}` and a structured log line.
 */
export function httpErrors(
  opts: { log?: (entry: Record<string, unknown>) => void } = {},
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  const log = opts.log ?? ((entry) => console.error(JSON.stringify(entry)));
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
