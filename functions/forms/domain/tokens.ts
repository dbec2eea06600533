/**
 * Signed tokens of forms: the render token a form carries from render to submit (anti-spam: proves the
 * form was fetched from Nurture, when, and for which anonymous visitor), and the double opt-in
 * confirmation token mailed to the submitter. `<payload>.<mac>` as sending's link tokens, with their own
 * purposes so neither can stand in for the other or for a mail link. Pure (node:crypto only).
 */
import { randomBytes } from 'node:crypto';
import { signClaims, verifiedClaims } from '../../shared/signed-token.js';

/** A render token older than this is refused (the visitor reloads the page): 24 hours. */
export const renderTokenMaxAgeMs = 24 * 60 * 60 * 1000;
/** A double opt-in link works for 7 days. */
export const confirmTokenMaxAgeMs = 7 * 24 * 60 * 60 * 1000;
/** Longest token read before any work is done. */
export const maxFormTokenChars = 1024;

export interface RenderClaims {
  /** Form id. */
  f: string;
  /** Issued at (epoch ms). */
  i: number;
  /** Nonce: the submission id of a post that brings none (a no-JavaScript form post). */
  n: string;
  /** The visitor's anonymous id, when the renderer knew it (cookie). */
  a?: string;
  /** Fields progressive profiling left out of this rendering. */
  s?: string[];
  /** Landing page slug it was rendered on. */
  p?: string;
}

export interface ConfirmClaims {
  /** Form id. */
  f: string;
  /** Submission id. */
  d: string;
  /** Expires (epoch ms). */
  e: number;
}

type Purpose = 'form-render' | 'form-confirm';

const sign = (secret: string, purpose: Purpose, claims: object) => signClaims(secret, purpose, claims);
const verify = (secret: string, purpose: Purpose, token: string) => verifiedClaims(secret, purpose, token, maxFormTokenChars);

/** A fresh random nonce (22 url-safe characters). */
export const newNonce = () => randomBytes(16).toString('base64url');

export function issueRenderToken(secret: string, claims: Omit<RenderClaims, 'n' | 'i'> & { n?: string }, now: Date): string {
  return sign(secret, 'form-render', { ...claims, n: claims.n ?? newNonce(), i: now.getTime() });
}

export type RenderTokenCheck = { ok: true; claims: RenderClaims } | { ok: false; reason: 'invalid' | 'expired' | 'other-form' };

/** The claims of a genuine, unexpired render token of this form. */
export function checkRenderToken(secret: string, token: string, formId: string, now: Date): RenderTokenCheck {
  const c = verify(secret, 'form-render', token);
  if (!c || typeof c.f !== 'string' || typeof c.i !== 'number' || typeof c.n !== 'string') return { ok: false, reason: 'invalid' };
  if (c.f !== formId) return { ok: false, reason: 'other-form' };
  if (now.getTime() - c.i > renderTokenMaxAgeMs || c.i - now.getTime() > 60_000) return { ok: false, reason: 'expired' };
  return { ok: true, claims: c as unknown as RenderClaims };
}

export function issueConfirmToken(secret: string, formId: string, submissionId: string, now: Date): string {
  return sign(secret, 'form-confirm', { f: formId, d: submissionId, e: now.getTime() + confirmTokenMaxAgeMs } satisfies ConfirmClaims);
}

export type ConfirmTokenCheck = { ok: true; claims: ConfirmClaims } | { ok: false; reason: 'invalid' | 'expired' };

export function checkConfirmToken(secret: string, token: string, now: Date): ConfirmTokenCheck {
  const c = verify(secret, 'form-confirm', token);
  if (!c || typeof c.f !== 'string' || typeof c.d !== 'string' || typeof c.e !== 'number') return { ok: false, reason: 'invalid' };
  if (now.getTime() > c.e) return { ok: false, reason: 'expired' };
  return { ok: true, claims: c as unknown as ConfirmClaims };
}
