/**
 * Errors of the sending capability. Names are stable: Step Functions matches on them (`ErrorEquals`) and
 * scenarios' Retry/Catch use them.
 */
import { ClientError } from '../shared/errors.js';

export class SendingError extends Error {
  override name = 'SendingError';
}

/** The send input does not match the contract; never retried. */
export class SendInputError extends SendingError {
  override name = 'SendInputError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** A problem with the template: not uploaded, failed its check, or failed to render. Nothing was sent. */
export class TemplateError extends SendingError {
  override name = 'TemplateError';
  constructor(
    readonly templateId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`template ${templateId}: ${message}`, options);
  }
}

/** Another call with the same idempotency key is sending right now; retry shortly to get its result. */
export class SendInProgressError extends SendingError {
  override name = 'SendInProgressError';
}

/** SES refused for a reason that may pass (throttling, a paused account): the reservation was released. */
export class SendRetryableError extends SendingError {
  override name = 'SendRetryableError';
}

/** SES answered with a refusal: the mail was not accepted (the mailer adapter's translation of SES errors). */
export class MailRefusedError extends SendingError {
  override name = 'MailRefusedError';
  constructor(
    message: string,
    /** Worth retrying later (throttling, sending paused, a service error). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A list cursor that this list did not hand out (garbled, or from another list). */
export class InvalidCursorError extends SendingError {
  override name = 'InvalidCursorError';
}

/** 413: an unsubscribe POST body over its limit; nothing was read or changed. */
export class UnsubscribeBodyTooLargeError extends ClientError {
  override name = 'UnsubscribeBodyTooLargeError';
  constructor(limitBytes: number) {
    super(413, `body: an unsubscribe request is at most ${limitBytes} bytes`, { field: 'body', limitBytes });
  }
}
