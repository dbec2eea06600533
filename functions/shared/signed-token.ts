import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens `<payload>.<mac>`: base64url JSON and a truncated HMAC-SHA256 over the purpose and the
 * payload, so a token made for one purpose is useless for any other. Mail links (sending/domain/tokens.ts)
 * and forms (forms/domain/tokens.ts) give them their claims and purposes. Pure (node:crypto only).
 */

/** MAC bytes kept: 128 bits, ample against forgery for a link or form token. */
const macBytes = 16;

function mac(secret: string, purpose: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}.${payload}`).digest().subarray(0, macBytes);
}

export function signClaims(secret: string, purpose: string, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/**
 * The claims object of a genuine token for `purpose` (not yet checked for its fields), or undefined for a
 * malformed, tampered or foreign one, or one longer than `maxChars` (refused before any work).
 */
export function verifiedClaims(secret: string, purpose: string, token: string, maxChars: number): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.length > maxChars) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
