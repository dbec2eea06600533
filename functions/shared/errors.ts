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
