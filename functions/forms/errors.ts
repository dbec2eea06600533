/**
 * Errors of forms. Client errors reach the caller as JSON naming the field (shared/http.ts); the
 * submission route answers a form post without JavaScript with an HTML page instead (submit-routes.ts).
 */
import { ClientError } from '../shared/errors.js';

/** Base of forms' client errors. */
export class FormsError extends ClientError {
  override name = 'FormsError';
}

/** A submission body the wire format refuses (not JSON nor a form post, a bad value); `field` names it. */
export class BadSubmissionError extends FormsError {
  override name = 'BadSubmissionError';
  constructor(field: string, message: string) {
    super(400, `${field}: ${message}`, { field });
  }
}

/** A submission body over `submitLimits.bodyBytes`. */
export class SubmissionTooLargeError extends FormsError {
  override name = 'SubmissionTooLargeError';
  constructor(limitBytes: number) {
    super(413, `body: larger than ${limitBytes} bytes`, { field: 'body', limitBytes });
  }
}

/** The form does not exist or its definition did not pass its check. */
export class FormNotFoundError extends FormsError {
  override name = 'FormNotFoundError';
  constructor(formId: string) {
    super(404, `form ${formId} not found (missing, or its definition failed its check)`, { field: 'id' });
  }
}
