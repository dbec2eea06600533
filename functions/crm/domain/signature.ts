/**
 * HMAC-SHA256 request signatures: what Nurture adds to every generic webhook it delivers, and what it
 * requires on `POST /v1/crm/events`. Stripe-like, so receivers can reuse what they know. Pure: node:crypto.
 *
 * Header: `Nurture-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`; while a secret is
 * being rotated the sender signs with both and the header carries two `v1=` entries.
 *
 * How a receiver verifies a request:
 * 1. Read the raw body bytes as received (before any JSON parsing: re-serializing changes the bytes).
 * 2. Split the `Nurture-Signature` header on `,`; each part is `key=value`. Take `t` (one) and every `v1`.
 * 3. Reject when `t` is further than 300 seconds (signatureToleranceSeconds) from your clock, either way.
 * 4. Compute `hex(HMAC-SHA256(secret, t + "." + rawBody))` with the shared secret (UTF-8).
 * 5. Accept when it equals any `v1` value, compared in constant time (crypto.timingSafeEqual).
 * 6. Keep the event's `id` for longer than the tolerance and drop a repeat: the timestamp bounds a replay,
 *    the id ends it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the signature header (HTTP headers are case-insensitive; API Gateway lower-cases them). */
export const signatureHeader = 'Nurture-Signature';
/** Largest difference (seconds) between the signed timestamp and the receiver's clock, either way. */
export const signatureToleranceSeconds = 300;
/** Most `v1=` entries read from one header (two secrets during a rotation; more is an attack on CPU). */
export const maxSignaturesPerHeader = 5;
/** Longest header read (characters): 5 signatures of 64 hex digits and a timestamp fit easily. */
export const maxSignatureHeaderChars = 512;

/** Why a signature was refused. */
export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch';
/** The outcome of verifySignature. */
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

const unixSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value signing `body` at `now` with each secret (the first is the current one). */
export function signRequest(secret: string | readonly string[], body: string | Uint8Array, now: Date): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('signRequest needs a secret');
  const t = unixSeconds(now);
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmacHex(s, t, body)}`)].join(',');
}

/** The timestamp and v1 signatures of a header, or undefined when it is not one. */
function parseHeader(header: string): { t: number; v1: string[] } | undefined {
  if (header.length > maxSignatureHeaderChars) return undefined;
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return undefined;
      v1.push(value);
    } // Other schemes (v0, a future v2) are ignored, as Stripe receivers do.
  }
  if (t === undefined || v1.length === 0 || v1.length > maxSignaturesPerHeader) return undefined;
  return { t, v1 };
}

/**
 * Checks a `Nurture-Signature` header against the raw body with any of `secrets` (the current and, during
 * a rotation, the previous one). Constant-time comparison; the timestamp must be within `toleranceSeconds`.
 */
export function verifySignature(
  secrets: readonly string[],
  header: string | undefined,
  body: string | Uint8Array,
  now: Date,
  toleranceSeconds = signatureToleranceSeconds,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const age = unixSeconds(now) - parsed.t;
  if (age > toleranceSeconds) return { ok: false, reason: 'stale' };
  if (age < -toleranceSeconds) return { ok: false, reason: 'future' };
  const given = parsed.v1.map((hex) => Buffer.from(hex, 'hex'));
  let match = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hmacHex(secret, parsed.t, body), 'hex');
    // Every pair is compared (no early exit), so the time taken says nothing about which one matched.
    for (const g of given) match = timingSafeEqual(expected, g) || match;
  }
  return match ? { ok: true, timestamp: parsed.t } : { ok: false, reason: 'mismatch' };
}

/** Key of the DynamoDB guard item that records an inbound CRM event id (replay protection). */
export function inboundReplayKey(id: string): string {
  return `crmin#${id}`;
}
