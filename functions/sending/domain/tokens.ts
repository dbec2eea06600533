import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Category } from './contract.js';

/**
 * Signed tokens in tracked links, the open pixel, the unsubscribe link and view-in-browser links. A token
 * is `<payload>.<mac>`: base64url JSON and a truncated HMAC-SHA256 over the purpose and the payload, so a
 * token made for one purpose (an open) is useless for another (an unsubscribe), and changing the target
 * URL of a click invalidates it. Tokens do not expire: links in mail must keep working for years.
 */

export type TokenPurpose = 'open' | 'click' | 'unsubscribe' | 'view';

export interface LinkClaims {
  /** Profile id. */
  p: string;
  /** Send id. */
  s: string;
  /** Template id. */
  t: string;
  /** Category. */
  c: Category;
  /** Subscription topic of the mail. */
  k: string;
  /** Scenario id. */
  sc?: string;
  /** Broadcast id. */
  b?: string;
  /** Click target (click tokens only). */
  u?: string;
  /** The mail's honeypot link (click tokens only): no person sees it, so whoever follows it is a scanner. */
  h?: 1;
  /** The mail's recommendation (open tokens of mail with products): id, strategy, variant. */
  r?: { i: string; s: string; v: string };
}

/** MAC bytes kept: 128 bits, ample against forgery for a link token. */
const macBytes = 16;
/** Longest token accepted before any work is done (a long tracked URL fits). */
export const maxTokenChars = 4096;

function mac(secret: string, purpose: TokenPurpose, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}.${payload}`).digest().subarray(0, macBytes);
}

export function signToken(secret: string, purpose: TokenPurpose, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, purpose, payload).toString('base64url')}`;
}

/** The claims of a genuine token for `purpose`, or undefined for a malformed, tampered or foreign one. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): LinkClaims | undefined {
  if (token.length > maxTokenChars) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
    if (typeof claims.p !== 'string' || typeof claims.s !== 'string' || typeof claims.t !== 'string') return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
