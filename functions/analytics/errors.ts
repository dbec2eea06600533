/** Errors of analytics: the event lake, its reports and their engines. */
import { ClientError } from '../shared/errors.js';

export class AnalyticsError extends Error {
  override name = 'AnalyticsError';
}

/**
 * Lake rows that could not be written: Firehose kept refusing some of them (ServiceUnavailable, internal
 * failures) through every retry. Thrown so the Kinesis batch fails and is delivered again.
 */
export class LakeWriteError extends AnalyticsError {
  override name = 'LakeWriteError';
  constructor(
    message: string,
    /** Rows not written. */
    readonly rows: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
/** The engine ran the query and it failed (a bad SQL text, a broken lake file): a fault, never the client's. */
export class QueryFailedError extends AnalyticsError {
  override name = 'QueryFailedError';
}

/**
 * The query did not finish within the time an answer may take (athenaQueryDeadlineMs: API Gateway gives
 * up after 30 s). Exposed as 503 so a client knows to retry later or ask for a shorter window.
 */
export class QueryTimeoutError extends ClientError {
  override name = 'QueryTimeoutError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(503, message, { retryable: true }, options);
  }
}

/**
 * The workgroup's per-query scan limit stopped the query. Exposed as 413 (the request asks for more data
 * than an operator allows): a shorter window or a narrower report reads less.
 */
export class ScanLimitExceededError extends ClientError {
  override name = 'ScanLimitExceededError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(413, message, { field: 'from' }, options);
  }
}

/** More result rows than a report may return (maxResultRows): a report without its LIMIT is a bug. */
export class TooManyRowsError extends AnalyticsError {
  override name = 'TooManyRowsError';
}

/** A report's SQL template names a placeholder its parameters do not fill (caught by the report tests). */
export class TemplateError extends AnalyticsError {
  override name = 'TemplateError';
}
