import { describe, expect, it } from 'vitest';
import { classify, defaultMedia } from '../../../functions/channels/domain/registry.js';
import {
  channelOf,
  consentOf,
  offlineConsent,
  offlineEvents,
  offlineLimits,
  parseDay,
  parseOfflineCsv,
} from '../../../functions/channels/domain/offline.js';

const now = new Date('2026-06-15T09:00:00Z');
const header = 'email,name,company,channel,campaign,date,consent';
const csv = (...lines: string[]) => [header, ...lines].join('\n');

describe('offline CSV: validation', () => {
  it('reads good rows, normalizing email, channel, date and consent', () => {
    const { rows, errors } = parseOfflineCsv(
      csv(' Hana@Firm.CO.JP ,Hana Sato,Firm KK,Seminar,spring-2026,2026/6/1,yes', 'ken@firm.jp,,,展示会,expo,2026-05-30,不同意'),
      now,
      100,
    );
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.line, r.email, r.channel, r.date, r.at, r.consent])).toEqual([
      [2, 'hana@firm.co.jp', 'seminar', '2026-06-01', '2026-06-01T00:00:00.000Z', 'granted'],
      [3, 'ken@firm.jp', 'event', '2026-05-30', '2026-05-30T00:00:00.000Z', 'revoked'],
    ]);
    expect(rows[0]).toMatchObject({ name: 'Hana Sato', company: 'Firm KK', campaign: 'spring-2026' });
    expect(rows[1]).not.toHaveProperty('name');
  });

  it('reports every bad row with its line and field, and imports none', () => {
    const { rows, errors } = parseOfflineCsv(
      csv(
        'ok@firm.jp,,,store,,2026-06-01,1',
        'not-an-email,,,store,,2026-06-01,1',
        'a@firm.jp,,,billboard,,2026-06-01,1',
        'b@firm.jp,,,store,,2026-06-31,1',
        'c@firm.jp,,,store,,2026-07-01,1',
        'd@firm.jp,,,store,,2019-01-01,1',
        'e@firm.jp,,,store,,2026-06-01,',
        'f@firm.jp,,,store,,2026-06-01,maybe',
      ),
      now,
      100,
    );
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'email'],
      [4, 'channel'],
      [5, 'date'],
      [6, 'date'],
      [7, 'date'],
      [8, 'consent'],
      [9, 'consent'],
    ]);
    expect(errors[3]!.message).toContain('future');
    expect(errors[5]!.message).toContain('missing');
  });

  it('matches header names case-insensitively and in Japanese, and names a missing required column', () => {
    const jp = parseOfflineCsv('\uFEFFメールアドレス,氏名,会社名,チャネル,キャンペーン,日付,同意\nhana@firm.jp,佐藤花,株式会社ファーム,セミナー,春,2026/06/01,同意', now, 10);
    expect(jp.errors).toEqual([]);
    expect(jp.rows[0]).toMatchObject({ email: 'hana@firm.jp', name: '佐藤花', channel: 'seminar', consent: 'granted' });
    const upper = parseOfflineCsv('EMAIL,Channel,DATE,Consent\nhana@firm.jp,Call Centre,2026-06-01,TRUE', now, 10);
    expect(upper.rows[0]).toMatchObject({ channel: 'call_centre', consent: 'granted', campaign: '' });
    const missing = parseOfflineCsv('email,channel,date\nhana@firm.jp,store,2026-06-01', now, 10);
    expect(missing.errors).toEqual([expect.objectContaining({ line: 1, field: 'consent' })]);
  });

  it('refuses more rows than the bound, and malformed CSV, as file errors', () => {
    const many = parseOfflineCsv(csv(...Array.from({ length: 4 }, (_, i) => `p${i}@firm.jp,,,store,,2026-06-01,1`)), now, 3);
    expect(many.errors).toEqual([expect.objectContaining({ line: 5, field: 'file' })]);
    const broken = parseOfflineCsv(csv('"hana@firm.jp,,,store,,2026-06-01,1'), now, 10);
    expect(broken.errors[0]!.field).toBe('file');
  });

  it('accepts a day that has begun east of UTC, but never stamps a touch later than now', () => {
    const { rows } = parseOfflineCsv(csv('a@firm.jp,,,store,,2026-06-16,1'), new Date('2026-06-15T20:00:00Z'), 10);
    expect(rows[0]!.at).toBe('2026-06-15T20:00:00.000Z');
  });

  it('takes an optional HH:MM time (UTC)', () => {
    const { rows, errors } = parseOfflineCsv('email,channel,date,time,consent\na@firm.jp,store,2026-06-01,14:30,1\n', now, 10);
    expect(errors).toEqual([]);
    expect(rows[0]!.at).toBe('2026-06-01T14:30:00.000Z');
    expect(parseOfflineCsv('email,channel,date,time,consent\na@firm.jp,store,2026-06-01,25:00,1', now, 10).errors[0]!.field).toBe('time');
  });

  it('spells out its bounds', () => {
    expect(offlineLimits.maxRowsPerRequest).toBeLessThanOrEqual(offlineLimits.maxRowsPerFile);
    expect(parseDay('2026-02-29')).toBeUndefined();
    expect(parseDay('2028-02-29')).toBe('2028-02-29');
    expect(channelOf('call-center')).toBe('call_centre');
    expect(channelOf('カタログ')).toBe('catalogue');
    expect(consentOf('')).toBeUndefined();
    expect(consentOf('No')).toBe('revoked');
  });
});

describe('offline CSV: events', () => {
  const row = parseOfflineCsv(csv('Hana@firm.jp,Hana,Firm KK,seminar,spring,2026-06-01,yes'), now, 10).rows[0]!;

  it('makes an identify and an Offline Touch for the profile, with the touch as a campaign', () => {
    const [id, touch] = offlineEvents(row, 'p_1', now, 'leads.csv');
    expect(id).toMatchObject({ type: 'identify', traits: { email: 'hana@firm.jp', name: 'Hana', company: 'Firm KK' }, nurture: { profileId: 'p_1' } });
    expect(touch).toMatchObject({
      type: 'track',
      event: 'Offline Touch',
      source: 'nurture-offline',
      timestamp: '2026-06-01T00:00:00.000Z',
      properties: { channel: 'seminar', campaign: 'spring', importedFrom: 'leads.csv' },
      context: { campaign: { source: 'seminar', medium: 'offline', name: 'spring' } },
      nurture: { v: 1, bot: false, profileId: 'p_1' },
    });
    expect(id!.messageId).not.toBe(touch!.messageId);
  });

  it('derives the same messageIds from the same touch, and others from another day or campaign', () => {
    const again = parseOfflineCsv(csv('hana@FIRM.jp,Other Name,,Seminar,spring,2026/06/01,no'), now, 10).rows[0]!;
    const otherDay = parseOfflineCsv(csv('hana@firm.jp,,,seminar,spring,2026-06-02,yes'), now, 10).rows[0]!;
    const ids = (r: typeof row) => offlineEvents(r, 'p_1', now).map((e) => e.messageId);
    expect(ids(again)).toEqual(ids(row));
    expect(ids(otherDay)).not.toEqual(ids(row));
  });

  it('states consent with its source and time, and lands in the registry as an offline medium', () => {
    expect(offlineConsent(row)).toEqual({ status: 'granted', source: 'offline:seminar:spring', at: '2026-06-01T00:00:00.000Z' });
    // Each channel is its own default medium, never the catch-all `offline (other)`.
    const media = ['event', 'seminar', 'catalogue', 'store', 'call_centre'].map((source) => classify({ source, medium: 'offline' }, defaultMedia).medium);
    expect(media).toEqual(['event', 'seminar', 'catalogue', 'store', 'call-centre']);
  });
});
