/**
 * Request bodies sent with `Content-Encoding: gzip` or `deflate` (RudderStack's Node SDK gzips every
 * batch by default; Segment's HTTP API accepts gzip too). API Gateway's HTTP API passes such a body to
 * the function untouched, base64-encoded; collect undoes the coding itself, never past the batch limit.
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedEncodingError } from '../errors.js';
import { limits } from './limits.js';

/** Content codings collect undoes (`x-gzip` is gzip's old name, RFC 9110 §8.4.1.3). */
export const contentCodings = ['gzip', 'x-gzip', 'deflate', 'identity'] as const;

export interface DecodedBody {
  text: string;
  /** Size of the decoded body (what the size limits apply to). */
  bytes: number;
}

const tooLarge = () => new PayloadTooLargeError('request body is larger than 500 KB once decompressed', limits.batchBytes);

function inflate(raw: Buffer, coding: 'gzip' | 'deflate'): Buffer {
  // maxOutputLength stops zlib as soon as the output would pass the batch limit: a gzip bomb costs at
  // most that much memory, and answers 413 like any body over the limit.
  const options = { maxOutputLength: limits.batchBytes };
  try {
    if (coding === 'gzip') return gunzipSync(raw, options);
    try {
      return inflateSync(raw, options);
    } catch (err) {
      // HTTP's "deflate" is the zlib format, but some clients send raw deflate: accept both.
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw err;
      return inflateRawSync(raw, options);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new InvalidRequestError(`body is not valid ${coding} data: ${(err as Error).message}`, 'body');
  }
}

/**
 * The body as text, its Content-Encoding undone. One coding at most; anything but gzip, deflate or
 * identity is a 415 naming `content-encoding`. A decoded body over 500 KB is a 413.
 */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): DecodedBody {
  const shown = JSON.stringify((contentEncoding ?? '').slice(0, 64));
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (!coding || coding === 'identity') return { text: raw.toString('utf8'), bytes: raw.length };
  if (coding.includes(',')) throw new UnsupportedEncodingError(`content-encoding ${shown}: send one coding (gzip or deflate)`);
  if (!(contentCodings as readonly string[]).includes(coding)) {
    throw new UnsupportedEncodingError(`content-encoding ${shown} is not supported: send gzip, deflate or none`);
  }
  // Refused like a plain body over the limit, before inflating anything (it would hardly ever shrink).
  if (raw.length > limits.batchBytes) throw new PayloadTooLargeError('request body is larger than 500 KB', limits.batchBytes);
  const decoded = inflate(raw, coding === 'deflate' ? 'deflate' : 'gzip');
  return { text: decoded.toString('utf8'), bytes: decoded.length };
}
