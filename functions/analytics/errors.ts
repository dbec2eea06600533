/** Errors of analytics (the event lake and its reports). */

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
