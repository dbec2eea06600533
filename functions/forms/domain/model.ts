/**
 * What forms store, and where: one description of every item forms writes in the main table. Pure.
 *
 * - Submission `fsub#<formId>` / `<submittedAt>#<submissionId>`: listable per form in time order.
 * - Its idempotency guard `fsid#<formId>#<submissionId>` / `sub`: the same submission id answers the same.
 * - Daily counters `fstat#<formId>` / `d#<YYYY-MM-DD>` (views, submissions, refused) and
 *   `pstat#<slug>` / `d#<YYYY-MM-DD>` (landing page views, submissions): stats and conversion rates.
 * - Rate limit windows `frl#<networkPrefix>` / `w#<windowStartMs>` (expiresAt set).
 * - Consent ledger `p#<profileId>` / `consent#<at>#<purpose>#<consentId>`: every consent given or withdrawn.
 * - Double opt-in state lives on the submission (`doubleOptIn`).
 */
import type { ConsentPurpose, Locale } from './definition.js';

/** How a consent was given (or withdrawn). */
export type ConsentMethod = 'checkbox' | 'double-opt-in' | 'unsubscribe' | 'operator' | 'import';

/** One consent decision, kept forever in the ledger: what the person saw, when, where and how. */
export interface ConsentRecord {
  profileId: string;
  purpose: ConsentPurpose;
  /** The definition's consent id (`newsletter`). */
  consentId: string;
  status: 'granted' | 'revoked' | 'pending';
  method: ConsentMethod;
  /** The wording's version shown, and the wording itself in the language shown. */
  textVersion: string;
  text: string;
  locale: Locale;
  at: string;
  formId?: string;
  submissionId?: string;
  /** IPv4 /24 or IPv6 /48 of the request: never the full address. */
  networkPrefix?: string;
  /** Email the consent was given for. */
  email?: string;
}

/** A consent box ticked on a submission. */
export interface GivenConsent {
  consentId: string;
  purpose: ConsentPurpose;
  textVersion: string;
}

/** One accepted submission. */
export interface Submission {
  formId: string;
  submissionId: string;
  submittedAt: string;
  profileId: string;
  anonymousId?: string;
  email?: string;
  locale: Locale;
  /** Values by field name (normalized), hidden fields included, skipped fields absent. */
  values: Record<string, string>;
  consents: GivenConsent[];
  /** Landing page slug, page address, referrer and UTM parameters, when known. */
  page?: string;
  url?: string;
  referrer?: string;
  utm?: Record<string, string>;
  networkPrefix?: string;
  /** Double opt-in: `pending` until the link in the mail is clicked, then `confirmed`. */
  doubleOptIn?: 'pending' | 'confirmed';
  confirmedAt?: string;
}

/** Stats of one form (or landing page) over a period: what `GET /v1/admin/forms/{id}` answers. */
export interface FormStats {
  views: number;
  submissions: number;
  /** Submissions refused as spam (honeypot, too fast, bad token, rate limit). */
  refused: number;
  /** submissions / views (0 when no views). */
  conversionRate: number;
  /** By day (UTC), oldest first. */
  days: { date: string; views: number; submissions: number; refused: number }[];
}

/** Why a submission was refused as spam (also the suffix of the `FormsRefused_<reason>` metric). */
export const spamReasons = ['honeypot', 'too-fast', 'token', 'rate-limit'] as const;
export type SpamReason = (typeof spamReasons)[number];

export const formKeys = {
  submissionPk: (formId: string) => `fsub#${formId}`,
  submissionSk: (submittedAt: string, submissionId: string) => `${submittedAt}#${submissionId}`,
  guardPk: (formId: string, submissionId: string) => `fsid#${formId}#${submissionId}`,
  guardSk: 'sub',
  formStatsPk: (formId: string) => `fstat#${formId}`,
  pageStatsPk: (slug: string) => `pstat#${slug}`,
  statsSk: (date: string) => `d#${date}`,
  rateLimitPk: (networkPrefix: string) => `frl#${networkPrefix}`,
  rateLimitSk: (windowStartMs: number) => `w#${windowStartMs}`,
  consentSk: (at: string, purpose: ConsentPurpose, consentId: string) => `consent#${at}#${purpose}#${consentId}`,
  consentPrefix: 'consent#',
} as const;

/** Submission ids: a client's UUID, or a token nonce. */
export const submissionIdPattern = /^[A-Za-z0-9_-]{8,64}$/;
