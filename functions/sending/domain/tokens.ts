import { signClaims, verifiedClaims } from '../../shared/signed-token.js';
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

/** Longest token accepted before any work is done (a long tracked URL fits). */
export const maxTokenChars = 4096;

export function signToken(secret: string, purpose: TokenPurpose, claims: LinkClaims): string {
  return signClaims(secret, purpose, claims);
}

/** The claims of a genuine token for `purpose`, or undefined for a malformed, tampered or foreign one. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): LinkClaims | undefined {
  const claims = verifiedClaims(secret, purpose, token, maxTokenChars);
  if (!claims || typeof claims.p !== 'string' || typeof claims.s !== 'string' || typeof claims.t !== 'string') return undefined;
  return claims as unknown as LinkClaims;
}
