/**
 * Spam defences of the public submission route, without third parties: a signed render token (the form
 * was fetched from Nurture, for this form, within 24 h), an off-screen honeypot input people leave empty,
 * a minimum time between render and submit, and a rate limit per network. Pure decisions; the rate
 * limit's counter lives in DynamoDB (adapters/rate-limiter.ts).
 */
import { truncateIp } from '../../ingest/domain/enrich.js';
import { formLimits } from './definition.js';
import type { SpamReason } from './model.js';
import { honeypotInput, reservedInputs } from './public-form.js';
import { checkRenderToken, type RenderClaims } from './tokens.js';

/** Submissions one network prefix (IPv4 /24, IPv6 /48) may make per window, accepted or not. */
export const rateLimit = {
  max: 20,
  windowMs: 10 * 60 * 1000,
} as const;

/** The fixed window `now` falls in, and when its counter item may expire (epoch seconds, a window later). */
export function rateWindow(now: Date): { startMs: number; expiresAt: number } {
  const startMs = Math.floor(now.getTime() / rateLimit.windowMs) * rateLimit.windowMs;
  return { startMs, expiresAt: Math.ceil((startMs + 2 * rateLimit.windowMs) / 1000) };
}

/** The network a request came from, as forms count and store it: never the full address. */
export function networkPrefixOf(sourceIp: string | undefined): string | undefined {
  return truncateIp(sourceIp);
}

export type SpamDecision = { ok: true; claims: RenderClaims } | { ok: false; reason: SpamReason; field: string };

/**
 * The checks that need no I/O, in order: the render token (missing, forged, expired or another form's:
 * `token`), the honeypot (`honeypot`), and the fill time against the form's minimum (`too-fast`).
 */
export function checkSubmission(input: {
  secret: string;
  formId: string;
  token: string | undefined;
  honeypot: string | undefined;
  minFillSeconds: number | undefined;
  now: Date;
}): SpamDecision {
  const token = input.token ? checkRenderToken(input.secret, input.token, input.formId, input.now) : undefined;
  if (!token?.ok) return { ok: false, reason: 'token', field: reservedInputs.token };
  if (input.honeypot) return { ok: false, reason: 'honeypot', field: honeypotInput };
  const minMs = (input.minFillSeconds ?? formLimits.minFillSecondsDefault) * 1000;
  if (input.now.getTime() - token.claims.i < minMs) return { ok: false, reason: 'too-fast', field: reservedInputs.token };
  return { ok: true, claims: token.claims };
}
