/**
 * A retargeting export writes only members who consented to advertising, in the column layout each
 * platform's customer-list upload accepts, every identifier hashed as that platform documents.
 */
import { describe, expect, it } from 'vitest';
import { AudienceExport, type AudienceProfile, csvLine, hasAdvertisingConsent } from '../../../functions/segments/domain/audience.js';

const opts = { defaultCountry: 'JP' };
const taro: AudienceProfile = {
  profileId: 'p1',
  email: 'taro@example.jp',
  traits: { advertising_consent: true, phone: '090-1234-5678', firstName: '太郎', lastName: '山田', address: { country: 'JP', postalCode: '100-0001' } },
};
const h = {
  email: '430116ef8e3354019be1e95115092c048e55f573160d0f4dc6b978b2ebe217a6', // taro@example.jp
  phoneE164: '3d06a39d40790f11761295e053029378ae28c4b4f6f301693005e079f3d4ca64', // +819012345678
  phoneDigits: '0ad07193350775c6d4377f8b039d32877e66c69a454ed886b05279771c0fca0b', // 819012345678
  ln: '5f34cd8399195fa23a32ace56c87f461adcbee99d90d9e60057f01684b3b46da', // 山田
  country: '9732c83e3e03fffde2ee65a9d826df8c4dd623c27fb92b952fe62a02f0726f87', // jp
  zip: '443372db1ff98d9737596b4f83a8381ab6aab60e44e29854b48be88c74cdf1f0', // 1000001
};

describe('advertising consent', () => {
  it('needs a granted record, or the trait when there is no record', () => {
    expect(hasAdvertisingConsent({ traits: {} })).toBe(false);
    expect(hasAdvertisingConsent({ traits: { advertising_consent: 'granted' } })).toBe(true);
    expect(hasAdvertisingConsent({ traits: { advertising_consent: 'yes' } })).toBe(false);
    const revoked = { status: 'revoked' as const, source: 'form', at: '2025-01-01T00:00:00Z' };
    expect(hasAdvertisingConsent({ traits: { advertising_consent: true }, adConsent: revoked })).toBe(false);
    expect(hasAdvertisingConsent({ traits: {}, adConsent: { ...revoked, status: 'granted' } })).toBe(true);
  });
});

describe('export files', () => {
  it('writes Meta’s identifier columns, all hashed, phone without "+"', () => {
    const file = new AudienceExport('meta', opts);
    expect(file.header).toEqual(['email', 'phone', 'fn', 'ln', 'zip', 'country']);
    const row = file.row(taro)!;
    expect(row).toEqual([h.email, h.phoneDigits, expect.stringMatching(/^[0-9a-f]{64}$/), h.ln, h.zip, h.country]);
  });

  it('writes Google’s Customer Match headers: names hashed, Country and Zip as is, phone with "+"', () => {
    const file = new AudienceExport('google', opts);
    expect(file.header).toEqual(['Email', 'Phone', 'First Name', 'Last Name', 'Country', 'Zip']);
    expect(file.row(taro)).toEqual([h.email, h.phoneE164, expect.stringMatching(/^[0-9a-f]{64}$/), h.ln, 'JP', '1000001']);
  });

  it('leaves Google’s address columns empty unless all four parts are known', () => {
    const file = new AudienceExport('google', opts);
    const row = file.row({ ...taro, traits: { ...taro.traits, lastName: undefined } })!;
    expect(row.slice(2)).toEqual(['', '', '', '']);
  });

  it('writes the neutral hashed CSV: email and E.164 phone', () => {
    const file = new AudienceExport('hashed-csv', opts);
    expect(file.header).toEqual(['email_sha256', 'phone_sha256']);
    expect(file.row(taro)).toEqual([h.email, h.phoneE164]);
  });

  it('leaves out members without consent, without an identifier, and repeated rows, and counts them', () => {
    const file = new AudienceExport('meta', opts);
    const rows = [
      taro,
      { ...taro, profileId: 'p2' }, // same person twice (e.g. before a merge)
      { profileId: 'p3', email: 'no@example.jp', traits: {} },
      { profileId: 'p4', traits: { advertising_consent: true, firstName: 'Only', phone: 'call me' } },
    ].map((p) => file.row(p));
    expect(rows.filter(Boolean)).toHaveLength(1);
    expect(file.tally).toEqual({ written: 1, noConsent: 1, noIdentifier: 1, duplicate: 1 });
  });

  it('quotes CSV cells only where needed', () => {
    expect(csvLine(['First Name', 'a,b', 'say "hi"'])).toBe('First Name,"a,b","say ""hi"""\r\n');
  });
});
