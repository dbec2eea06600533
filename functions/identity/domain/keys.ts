import { createHash } from 'node:crypto';

/** The kinds of identifier that resolve to a profile. */
export type IdentityKind = 'anon' | 'user' | 'email';

export interface IdentityKey {
  kind: IdentityKind;
  value: string;
}

/** Longest email address accepted (RFC 5321 path limit). */
const maxEmailChars = 254;

/**
 * Lower-cases and trims an address. Provider-specific rewriting (Gmail dots, +tags) is deliberately not
 * done: those are distinct mailboxes to the rest of the world, and merging on a guess merges people.
 */
export function normalizeEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const email = raw.trim().toLowerCase();
  if (email.length > maxEmailChars) return undefined;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}

export function keyString(key: IdentityKey): string {
  return `${key.kind}:${key.value}`;
}

function hashId(text: string): string {
  return `p_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
}

/**
 * The profile of an anonymous visitor before any link exists. Deterministic, so anonymous page views need
 * no identity lookup or write at collect time.
 */
export function anonymousProfileId(anonymousId: string): string {
  return hashId(`anon:${anonymousId}`);
}

/** A new known profile created for its first identity key; deterministic so concurrent creators agree. */
export function knownProfileId(key: IdentityKey): string {
  return hashId(keyString(key));
}
