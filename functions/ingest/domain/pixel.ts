import { InvalidRequestError } from '../errors.js';
import type { IngestRequest } from './ingest.js';
import { limits } from './limits.js';
import { checkNesting } from './nesting.js';
import { messageTypes } from './schema.js';

// The smallest transparent 1×1 GIF (43 bytes).
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A 1×1 transparent GIF that no cache keeps (every open must reach us). */
export function transparentGif() {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'image/gif',
      'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
    },
    body: gif.toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * Reads `GET /v1/pixel.gif?data=<base64url JSON message>` (writeKey inside the message or as `writeKey`
 * query parameter) into an ingest request, or an error to log.
 */
export function pixelRequest(
  query: Record<string, string | undefined>,
  base: Pick<IngestRequest, 'receivedAt' | 'sourceIp' | 'userAgent'>,
): IngestRequest | Error {
  const data = query.data;
  if (!data) return new InvalidRequestError('data parameter missing', 'data');
  if (data.length > Math.ceil((limits.messageBytes * 4) / 3)) {
    return new InvalidRequestError('data is larger than 32 KB', 'data');
  }
  const text = Buffer.from(data, 'base64url').toString('utf8');
  let message: unknown;
  try {
    // Depth first: the message is serialized again below, and JSON.stringify recurses.
    message = JSON.parse(checkNesting(text, 'message').text);
  } catch (err) {
    return err instanceof InvalidRequestError ? err : new InvalidRequestError('data is not base64url JSON', 'data');
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) {
    return new InvalidRequestError('data is not a JSON object', 'data');
  }
  const record = message as Record<string, unknown>;
  const type = typeof record.type === 'string' && (messageTypes as readonly string[]).includes(record.type) ? record.type : 'track';
  const body = query.writeKey && !record.writeKey ? { ...record, writeKey: query.writeKey } : record;
  const bodyText = JSON.stringify(body);
  return {
    ...base,
    kind: type as IngestRequest['kind'],
    body: bodyText,
    bodyBytes: Buffer.byteLength(bodyText),
  };
}
