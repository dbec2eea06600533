/**
 * Identifiers are normalized the way each ad platform documents, and hash to the values the platforms'
 * own examples give (expected digests are literals, computed outside this code).
 */
import { describe, expect, it } from 'vitest';
import {
  normalizeCountry,
  normalizeEmail,
  normalizeName,
  normalizePhone,
  normalizeZip,
  sha256Hex,
  toE164,
} from '../../../functions/segments/domain/audience-normalize.js';

describe('email normalization and hashing', () => {
  // Data Manager API quickstart, "Prepare audience data": raw, formatted and hashed (hex) examples.
  // https://developers.google.com/data-manager/api/get-started/quickstart/send-audience-members
  it.each([
    ['dana@example.com', '07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3'],
    ['DanaM@example.com', '1df6b43bc68dd38eca94e6a65b4f466ae537b796c81a526918b40ac4a7b906c7'],
    ['ALEXJ@example.com', '2ef46c4214c3fc1b277a2d976d55194e12b899aa50d721f28da858c7689756e3'],
    [' alexj@example.com  ', '2ef46c4214c3fc1b277a2d976d55194e12b899aa50d721f28da858c7689756e3'],
  ])('hashes %j to Google’s documented digest', (raw, digest) => {
    expect(sha256Hex(normalizeEmail(raw, 'google')!)).toBe(digest);
    // Meta's rule (trim, lower-case) gives the same digest for non-Gmail addresses.
    expect(sha256Hex(normalizeEmail(raw, 'meta')!)).toBe(digest);
  });

  // Data Manager "Format user data": dots and +suffix go for gmail.com/googlemail.com only.
  it('removes dots and the + suffix of Gmail addresses for Google, and only there', () => {
    expect(normalizeEmail('cloudy.sanfrancisco+shopping@gmail.com', 'google')).toBe('cloudysanfrancisco@gmail.com');
    expect(normalizeEmail('Cloudy.SanFrancisco@GoogleMail.com', 'google')).toBe('cloudysanfrancisco@googlemail.com');
    expect(normalizeEmail('user.name+NYC@Example.com', 'google')).toBe('user.name+nyc@example.com');
    expect(sha256Hex(normalizeEmail('cloudy.sanfrancisco+shopping@gmail.com', 'google')!)).toBe(
      '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4',
    );
  });

  it('keeps a Gmail address whole for Meta (trim and lower-case only)', () => {
    expect(normalizeEmail('  Cloudy.SanFrancisco+shopping@gmail.com ', 'meta')).toBe('cloudy.sanfrancisco+shopping@gmail.com');
  });

  it('folds full-width characters and removes inner spaces for Google', () => {
    expect(normalizeEmail('ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ', 'meta')).toBe('taro@example.jp');
    expect(normalizeEmail('taro @example.jp', 'google')).toBe('taro@example.jp');
  });

  it.each([['not-an-email'], [''], [42], [undefined], ['+@gmail.com'], [`${'a'.repeat(250)}@x.jp`]])('refuses %j', (raw) => {
    expect(normalizeEmail(raw, 'google')).toBeUndefined();
  });
});

describe('phone numbers to E.164', () => {
  it.each([
    // Japanese national numbers lose the trunk 0 and take +81.
    ['090-1234-5678', 'JP', '+819012345678'],
    ['０９０－１２３４－５６７８', 'JP', '+819012345678'],
    ['03-1234-5678', 'JP', '+81312345678'],
    ['(03) 1234 5678', 'JP', '+81312345678'],
    ['+81 90-1234-5678', 'JP', '+819012345678'],
    ['+81 (0)90 1234 5678', 'US', '+819012345678'],
    ['010-81-90-1234-5678', 'JP', '+819012345678'],
    ['0081 90 1234 5678', 'JP', '+819012345678'],
    // Google's example: "(800)555-0100" → "+18005550100".
    ['(800)555-0100', 'US', '+18005550100'],
    ['1-800-555-0100', 'US', '+18005550100'],
    ['+1 800 555 0100 ext. 12', 'JP', '+18005550100'],
  ])('%j (default %s) → %s', (raw, country, e164) => {
    expect(toE164(raw, country)).toBe(e164);
  });

  it.each([
    ['090-1234-5678', 'ZZ'], // national number, unknown default country: not guessed
    ['1-800-FLOWERS', 'US'],
    ['12345', 'JP'],
    ['9012345678', 'JP'], // no trunk 0 and no +: not a Japanese national number
    ['+1234567890123456', 'JP'],
    [null, 'JP'],
  ])('refuses %j (default %s)', (raw, country) => {
    expect(toE164(raw, country)).toBeUndefined();
  });

  it('hashes E.164 with "+" for Google and digits only for Meta', () => {
    expect(sha256Hex(normalizePhone('090-1234-5678', 'google', 'JP')!)).toBe('3d06a39d40790f11761295e053029378ae28c4b4f6f301693005e079f3d4ca64');
    expect(sha256Hex(normalizePhone('090-1234-5678', 'meta', 'JP')!)).toBe('0ad07193350775c6d4377f8b039d32877e66c69a454ed886b05279771c0fca0b');
    expect(sha256Hex(normalizePhone('(800)555-0100', 'google', 'US')!)).toBe('fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30');
    expect(sha256Hex(normalizePhone('(800)555-0100', 'meta', 'US')!)).toBe('92cfdc5fbcd4a20fbe5d3857af6c1aba31762105bba7f21a17155e920653046c');
  });
});

describe('names, country and postal code', () => {
  it('lower-cases names; Meta also drops punctuation and spaces, keeping any script', () => {
    expect(normalizeName('  Mary Ann ', 'google')).toBe('mary ann');
    expect(normalizeName("O'Neil-Smith", 'meta')).toBe('oneilsmith');
    expect(sha256Hex(normalizeName(' 山田 ', 'meta')!)).toBe('5f34cd8399195fa23a32ace56c87f461adcbee99d90d9e60057f01684b3b46da');
  });

  it('keeps ISO alpha-2 countries only, lower-case for Meta and upper-case for Google', () => {
    expect(normalizeCountry('JP', 'meta')).toBe('jp');
    expect(normalizeCountry('jp', 'google')).toBe('JP');
    expect(normalizeCountry('Japan', 'meta')).toBeUndefined();
  });

  it('strips 〒, dashes and spaces from postal codes and cuts US ZIP+4 to 5 digits', () => {
    expect(normalizeZip('〒100-0001', 'JP')).toBe('1000001');
    expect(normalizeZip('94043-1351', 'US')).toBe('94043');
    expect(normalizeZip('SW1A 1AA', 'GB')).toBe('sw1a1aa');
  });
});
