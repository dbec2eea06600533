/**
 * Retargeting audiences: which segment members may go to an ad platform, and the rows of the file each
 * platform accepts (`segments export <id> --format meta|google|hashed-csv`). Pure.
 *
 * Rules:
 * - Only members who consented to advertising use go out (hasAdvertisingConsent); no record means no.
 * - Every identifier is normalized for its platform, then SHA-256 hashed (audience-normalize.ts). Google
 *   takes country and postal code unhashed; Meta hashes them too.
 * - A member with no usable email or phone is left out (counted), never sent as a name alone.
 * - Rows that hash the same are written once.
 */
import {
  type AudiencePlatform,
  normalizeCountry,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizeZip,
  sha256Hex,
  toE164,
} from './audience-normalize.js';

/** Advertising consent as recorded on a profile (same shape as the mail consent sending keeps). */
export interface AdConsent {
  status: 'granted' | 'revoked';
  source: string;
  at: string;
}

/** What a retargeting export reads of a profile. */
export interface AudienceProfile {
  profileId: string;
  /** Normalized email on file. */
  email?: string;
  traits: Record<string, unknown>;
  /** Proposed profile attribute (owned by whoever records consent: forms, sending, an import). */
  adConsent?: AdConsent;
}

/** The trait read when a profile has no `adConsent` record yet (set by identify or an import). */
export const adConsentTrait = 'advertising_consent';

/**
 * Whether the person agreed to their data being used for advertising. A recorded `adConsent` decides
 * (granted or revoked); without one, the trait `advertising_consent` must be `true` or "granted".
 */
export function hasAdvertisingConsent(p: Pick<AudienceProfile, 'adConsent' | 'traits'>): boolean {
  if (p.adConsent) return p.adConsent.status === 'granted';
  const trait = p.traits[adConsentTrait];
  return trait === true || trait === 'granted';
}

/** Raw contact fields of a profile (Segment's reserved trait names). */
export interface Contact {
  email?: unknown;
  phone?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  country?: unknown;
  zip?: unknown;
}

export function contactOf(p: AudienceProfile): Contact {
  const t = p.traits;
  const address = (t.address && typeof t.address === 'object' ? t.address : {}) as Record<string, unknown>;
  return {
    email: p.email ?? t.email,
    phone: t.phone,
    firstName: t.firstName,
    lastName: t.lastName,
    country: address.country ?? t.country,
    zip: address.postalCode ?? address.postal_code ?? t.postalCode ?? t.zip,
  };
}

/** One member's identifiers, normalized for a platform and hashed (country/zip per the platform). */
export interface HashedIdentifiers {
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  /** Meta: hashed; Google: ISO alpha-2, unhashed. */
  country?: string;
  /** Meta: hashed; Google: unhashed. */
  zip?: string;
}

export interface AudienceOptions {
  /** ISO country whose national phone numbers the profiles hold (NURTURE_DEFAULT_COUNTRY, e.g. JP). */
  defaultCountry: string;
}

/** The hashed identifiers of one contact for `platform`, or undefined when it has no email or phone. */
export function hashedIdentifiers(c: Contact, platform: AudiencePlatform, opts: AudienceOptions): HashedIdentifiers | undefined {
  const email = normalizeEmail(c.email, platform);
  const phone = normalizePhone(c.phone, platform, opts.defaultCountry);
  if (!email && !phone) return undefined;
  const first = normalizeName(c.firstName, platform);
  const last = normalizeName(c.lastName, platform);
  const country = normalizeCountry(c.country ?? opts.defaultCountry, platform);
  const zip = normalizeZip(c.zip, country);
  const out: HashedIdentifiers = {};
  if (email) out.email = sha256Hex(email);
  if (phone) out.phone = sha256Hex(phone);
  if (platform === 'google') {
    // Google matches an address only with all four parts: https://developers.google.com/data-manager/api/devguides/concepts/formatting
    if (first && last && country && zip) Object.assign(out, { firstName: sha256Hex(first), lastName: sha256Hex(last), country, zip });
    return out;
  }
  if (first) out.firstName = sha256Hex(first);
  if (last) out.lastName = sha256Hex(last);
  if (country) out.country = sha256Hex(country);
  if (zip) out.zip = sha256Hex(zip);
  return out;
}

export type ExportFormat = 'meta' | 'google' | 'hashed-csv';
export const exportFormats = ['meta', 'google', 'hashed-csv'] as const satisfies readonly ExportFormat[];

/**
 * The columns of each file: Meta's customer-list identifiers (email, phone, fn, ln, zip, country), Google
 * Customer Match's upload headers (Email, Phone, First Name, Last Name, Country, Zip) and a neutral
 * hashed CSV (email and E.164 phone, trimmed and lower-cased the way most platforms accept).
 */
export const exportColumns: Record<ExportFormat, readonly [keyof HashedIdentifiers, string][]> = {
  meta: [['email', 'email'], ['phone', 'phone'], ['firstName', 'fn'], ['lastName', 'ln'], ['zip', 'zip'], ['country', 'country']],
  google: [['email', 'Email'], ['phone', 'Phone'], ['firstName', 'First Name'], ['lastName', 'Last Name'], ['country', 'Country'], ['zip', 'Zip']],
  'hashed-csv': [['email', 'email_sha256'], ['phone', 'phone_sha256']],
};

/** The neutral `hashed-csv` identifiers: trimmed lower-case email, E.164 phone with its "+". */
export function neutralIdentifiers(c: Contact, opts: AudienceOptions): HashedIdentifiers | undefined {
  const email = normalizeEmail(c.email, 'meta');
  const phone = toE164(c.phone, opts.defaultCountry);
  if (!email && !phone) return undefined;
  return { ...(email ? { email: sha256Hex(email) } : {}), ...(phone ? { phone: sha256Hex(phone) } : {}) };
}

export interface ExportTally {
  /** Members written. */
  written: number;
  /** Members left out for want of advertising consent. */
  noConsent: number;
  /** Consenting members left out for want of a usable email or phone. */
  noIdentifier: number;
  /** Members whose row repeated one already written. */
  duplicate: number;
}

/** Builds an export file row by row, so a million members stream through without being held. */
export class AudienceExport {
  readonly header: readonly string[];
  readonly tally: ExportTally = { written: 0, noConsent: 0, noIdentifier: 0, duplicate: 0 };
  private readonly seen = new Set<string>();
  private readonly columns: readonly [keyof HashedIdentifiers, string][];

  constructor(
    readonly format: ExportFormat,
    private readonly opts: AudienceOptions,
  ) {
    this.columns = exportColumns[format];
    this.header = this.columns.map(([, name]) => name);
  }

  /** The row for one member, or undefined when the member is left out (see tally). */
  row(p: AudienceProfile): string[] | undefined {
    if (!hasAdvertisingConsent(p)) {
      this.tally.noConsent++;
      return undefined;
    }
    const contact = contactOf(p);
    const ids = this.format === 'hashed-csv' ? neutralIdentifiers(contact, this.opts) : hashedIdentifiers(contact, this.format, this.opts);
    const cells = ids && this.columns.map(([key]) => ids[key] ?? '');
    if (!cells || cells.every((c) => c === '')) {
      this.tally.noIdentifier++;
      return undefined;
    }
    // 64 bits of the row's hash: a million members cost tens of megabytes, not the rows themselves.
    const key = sha256Hex(cells.join(',')).slice(0, 16);
    if (this.seen.has(key)) {
      this.tally.duplicate++;
      return undefined;
    }
    this.seen.add(key);
    this.tally.written++;
    return cells;
  }
}

/** One CSV line (RFC 4180 quoting; hashes never need it, header names and raw zips might). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map((c) => (/[",\r\n]/u.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}\r\n`;
}
