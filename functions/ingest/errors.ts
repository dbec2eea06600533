/**
 * Errors of ingest. Each is a client error: its status and JSON body reach the caller (shared/http.ts),
 * so a tracking client learns which field to fix, or that it may retry.
 */
import { ClientError } from '../shared/errors.js';

/** Base of ingest's errors. */
export class IngestError extends ClientError {
  override name = 'IngestError';
}

/** The request body is not what the endpoint accepts; `field` names the first bad field. */
export class InvalidRequestError extends IngestError {
  override name = 'InvalidRequestError';
  constructor(message: string, field: string, extra: Record<string, unknown> = {}) {
    super(400, message, { field, ...extra });
  }
}

/** Body (413) over the Segment limits. */
export class PayloadTooLargeError extends IngestError {
  override name = 'PayloadTooLargeError';
  constructor(message: string, limitBytes: number) {
    super(413, message, { limitBytes });
  }
}

/** No or unknown write key. */
export class UnauthorizedError extends IngestError {
  override name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, message, { field: 'writeKey' });
  }
}

/** Events could not be written durably; the client should retry (messageIds make the retry safe). */
export class SinkUnavailableError extends IngestError {
  override name = 'SinkUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, { retryable: true }, options);
  }
}

/** Content-Encoding (415) that collect cannot undo; `field` is `content-encoding`. */
export class UnsupportedEncodingError extends IngestError {
  override name = 'UnsupportedEncodingError';
  constructor(message: string) {
    super(415, message, { field: 'content-encoding' });
  }
}
