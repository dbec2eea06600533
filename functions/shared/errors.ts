/**
 * Base of every error a client may see. Subclasses set `name`, a status code and, for bad input, the
 * field at fault. Errors that are not ClientErrors never reach a client (see shared/http.ts).
 */
export class ClientError extends Error {
  override name = 'ClientError';
  readonly expose = true;
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: a request field is missing or malformed; `field` names it (`body`, `limit`, `batch[3].event`). */
export class BadRequestError extends ClientError {
  override name = 'BadRequestError';
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(400, `${field}: ${message}`, { field }, options);
  }
}

/** 404: what the request names does not exist; `field` names the parameter that named it. */
export class NotFoundError extends ClientError {
  override name = 'NotFoundError';
  constructor(message: string, field = 'id') {
    super(404, message, { field });
  }
}
