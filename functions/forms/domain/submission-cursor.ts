/** The opaque cursor of a submissions page: the last item's key, base64url JSON, checked on the way back. Pure. */
import { formKeys } from './model.js';

/** The cursor of a submissions page is not one given for this form. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

export const encodeSubmissionCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');

/** The start key a cursor stands for; InvalidCursorError when it is not a cursor of `formId`'s submissions. */
export function decodeSubmissionCursor(cursor: string, formId: string): { pk: string; sk: string } {
  const pk = formKeys.submissionPk(formId);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API gave');
  }
  const k = key as Record<string, unknown> | null;
  if (!k || typeof k !== 'object' || k.pk !== pk || typeof k.sk !== 'string' || Object.keys(k).length !== 2) {
    throw new InvalidCursorError('not a cursor of this form’s submissions');
  }
  return { pk, sk: k.sk };
}
