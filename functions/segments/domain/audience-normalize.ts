/**
 * Normalization and SHA-256 hashing of the identifiers an ad platform matches a retargeting audience on.
 * Pure (hashing is a computation, as in ingest/domain/enrich.ts). Each platform documents its own rules;
 * the differences matter, since a hash of a differently normalized value never matches:
 * - Google (Data Manager API, Customer Match):
 *   https://developers.google.com/data-manager/api/devguides/concepts/formatting
 *   email: lower-case, remove leading/trailing/intermediate white space; for gmail.com and googlemail.com
 *   only, remove every "." before the "@" and a "+" with everything after it in the local part;
 *   phone: E.164 with the "+" and the country code ("(800)555-0100" → "+18005550100");
 *   names: lower-case, trimmed; region (country) and postal code are sent unhashed.
 * - Meta (Marketing API, Customer File Custom Audiences, "Hashing and Normalizing Data"):
 *   https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 *   email: trim and lower-case only; phone: digits only with the country code, no "+", no leading zeros;
 *   fn/ln: lower-case letters, no punctuation; country: ISO 3166-1 alpha-2 lower-case; zip: lower-case
 *   without spaces or dashes (US: the first 5 digits); all of them hashed.
 */
import { createHash } from 'node:crypto';

export type AudiencePlatform = 'meta' | 'google';

/** Longest raw value looked at (characters): identifiers beyond it are refused, not cut. */
export const maxIdentifierChars = 254;

/** Lower-case hex SHA-256 of a normalized value (the encoding both platforms accept). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const text = (raw: unknown): string | undefined => {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  // NFKC folds full-width forms (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ, ０９０) that Japanese forms often carry.
  const s = String(raw).normalize('NFKC').trim();
  return s && s.length <= maxIdentifierChars ? s : undefined;
};

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const gmailDomains = new Set(['gmail.com', 'googlemail.com']);

/** An email address normalized for `platform`, or undefined when it is not an address. */
export function normalizeEmail(raw: unknown, platform: AudiencePlatform): string | undefined {
  const s = text(raw);
  if (!s) return undefined;
  // Google removes intermediate white space too; Meta documents trim only, so inner space stays invalid.
  const email = (platform === 'google' ? s.replace(/\s+/gu, '') : s).toLowerCase();
  if (!emailShape.test(email)) return undefined;
  if (platform !== 'google') return email;
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  if (!gmailDomains.has(domain)) return email;
  const local = email.slice(0, at).split('+')[0]!.replaceAll('.', '');
  return local ? `${local}@${domain}` : undefined;
}

/**
 * Calling codes for the default country of national numbers, and whether that country dials a trunk
 * "0" before national numbers (dropped in E.164). A number written with "+" or an international prefix
 * needs no entry; a national number in a country not listed here is refused rather than guessed.
 */
export const callingCodes: Readonly<Record<string, { code: string; trunkZero: boolean; internationalPrefix: string }>> = {
  JP: { code: '81', trunkZero: true, internationalPrefix: '010' },
  US: { code: '1', trunkZero: false, internationalPrefix: '011' },
  CA: { code: '1', trunkZero: false, internationalPrefix: '011' },
  GB: { code: '44', trunkZero: true, internationalPrefix: '00' },
  DE: { code: '49', trunkZero: true, internationalPrefix: '00' },
  FR: { code: '33', trunkZero: true, internationalPrefix: '00' },
  KR: { code: '82', trunkZero: true, internationalPrefix: '00' },
  CN: { code: '86', trunkZero: true, internationalPrefix: '00' },
  TW: { code: '886', trunkZero: true, internationalPrefix: '00' },
  AU: { code: '61', trunkZero: true, internationalPrefix: '0011' },
  SG: { code: '65', trunkZero: false, internationalPrefix: '000' },
};

/** E.164 allows at most 15 digits after the "+"; fewer than 8 is no reachable number anywhere. */
export const e164Digits = { min: 8, max: 15 } as const;

/**
 * A phone number in E.164 ("+819012345678"), or undefined when it cannot be made one. National numbers
 * (090-1234-5678, 03-1234-5678) take `defaultCountry`'s calling code, without the trunk "0"; "+", "00"
 * and the default country's own international prefix (010 in Japan) mark an international number.
 */
export function toE164(raw: unknown, defaultCountry: string): string | undefined {
  // "+44 (0)20 …" writes the trunk 0 that international dialling drops.
  const s = text(raw)
    ?.replace(/\s*(?:ext\.?|x)\s*\d+$/iu, '')
    .replace(/^(\+\d{1,3})\s*\(0\)/u, '$1');
  // Letters left after an extension is cut mean a vanity number or a typo: not guessed at.
  if (!s || /\p{L}/u.test(s)) return undefined;
  const plus = s.startsWith('+');
  let digits = s.replace(/\D/gu, '');
  const country = callingCodes[defaultCountry.toUpperCase()];
  if (!plus) {
    if (country && digits.startsWith(country.internationalPrefix)) digits = digits.slice(country.internationalPrefix.length);
    else if (digits.startsWith('00')) digits = digits.slice(2);
    else if (!country) return undefined;
    else if (country.trunkZero) {
      if (!digits.startsWith('0')) return undefined;
      digits = country.code + digits.slice(1);
    } else {
      // NANP: 10 national digits, or 11 starting with the country code 1.
      digits = digits.length === 11 && digits.startsWith(country.code) ? digits : country.code + digits;
    }
  }
  if (digits.startsWith('0') || digits.length < e164Digits.min || digits.length > e164Digits.max) return undefined;
  return `+${digits}`;
}

/** The phone form each platform hashes: Google keeps the "+", Meta wants digits only. */
export function normalizePhone(raw: unknown, platform: AudiencePlatform, defaultCountry: string): string | undefined {
  const e164 = toE164(raw, defaultCountry);
  return e164 && (platform === 'google' ? e164 : e164.slice(1));
}

/**
 * A first or last name: lower-case and trimmed (Google); Meta also removes punctuation and white space
 * and keeps letters in any script (UTF-8), so 山田 stays 山田.
 */
export function normalizeName(raw: unknown, platform: AudiencePlatform): string | undefined {
  const s = text(raw)?.toLowerCase();
  if (!s) return undefined;
  const name = platform === 'meta' ? s.replace(/[\p{P}\p{S}\s]/gu, '') : s.replace(/\s+/gu, ' ');
  return name || undefined;
}

/** ISO 3166-1 alpha-2 country, lower-case for Meta (hashed), upper-case for Google (sent as is). */
export function normalizeCountry(raw: unknown, platform: AudiencePlatform): string | undefined {
  const s = text(raw);
  if (!s || !/^[a-z]{2}$/iu.test(s)) return undefined;
  return platform === 'meta' ? s.toLowerCase() : s.toUpperCase();
}

/** A postal code: lower-case, no spaces or dashes (〒100-0001 → 1000001); US codes cut to 5 digits. */
export function normalizeZip(raw: unknown, country: string | undefined): string | undefined {
  const s = text(raw)?.toLowerCase().replace(/^〒/u, '').replace(/[\s\-‐－]/gu, '');
  if (!s || !/^[a-z0-9]+$/u.test(s)) return undefined;
  return country?.toUpperCase() === 'US' ? s.slice(0, 5) : s;
}
