/**
 * Submissions as CSV (RFC 4180 quoting, formula cells neutralized, BOM for Excel) and stats from daily
 * counters (sums, every day of the period, conversion rate).
 */
import { describe, expect, it } from 'vitest';
import type { Submission } from '../../../functions/forms/domain/model.js';
import { dayRange, statsOver, summaryOf } from '../../../functions/forms/domain/stats.js';
import { csvBom, csvCell, csvHeader, csvRows, submissionColumns } from '../../../functions/forms/domain/submissions-csv.js';

const form = {
  fields: [
    { name: 'email', type: 'email' as const, required: true, trait: 'email' },
    { name: 'company', type: 'text' as const },
    { name: 'note', type: 'textarea' as const },
  ],
};
const sub: Submission = {
  formId: 'brochure',
  submissionId: 's_0001abcd',
  submittedAt: '2026-12-07T09:00:00.000Z',
  profileId: 'p1',
  email: 'taro@example.jp',
  locale: 'ja',
  values: { email: 'taro@example.jp', company: '株式会社, "山田"', note: '=HYPERLINK("http://evil")\n2行目' },
  consents: [{ consentId: 'newsletter', purpose: 'email', textVersion: '2026-11' }, { consentId: 'privacy', purpose: 'terms', textVersion: '1' }],
  page: 'brochure',
  utm: { utm_source: 'google', utm_campaign: '-spring' },
};

describe('submissions CSV', () => {
  it('quotes cells with commas, quotes and line breaks (quotes doubled)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(undefined)).toBe('');
  });

  it('prefixes cells a spreadsheet would run as a formula with a quote', () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('a=1')).toBe('a=1');
  });

  it('starts with a BOM and the header: fields in order, then the submission columns (a field named email takes that column)', () => {
    expect(csvHeader(form).startsWith(csvBom)).toBe(true);
    expect(submissionColumns(form)).toEqual(['email', 'company', 'note', 'submittedAt', 'submissionId', 'profileId', 'consents', 'page', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']);
    expect(csvHeader(form)).toBe(`${csvBom}email,company,note,submittedAt,submissionId,profileId,consents,page,utm_source,utm_medium,utm_campaign,utm_term,utm_content\r\n`);
  });

  it('writes one CRLF line a submission, guarded and quoted', () => {
    expect(csvRows(form, [sub])).toBe(
      'taro@example.jp,"株式会社, ""山田""","\'=HYPERLINK(""http://evil"")\n2行目",2026-12-07T09:00:00.000Z,s_0001abcd,p1,newsletter:2026-11 privacy:1,brochure,google,,\'-spring,,\r\n',
    );
  });
});

describe('form stats', () => {
  it('covers the days ending today (UTC), inclusive', () => {
    expect(dayRange(new Date('2026-12-07T23:59:00Z'), 30)).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    expect(dayRange(new Date('2026-03-01T00:00:00Z'), 1)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
  });

  it('sums the counters, fills missing days with zeros and computes the conversion rate', () => {
    const stats = statsOver(
      [
        { date: '2026-12-05', views: 100, submissions: 3, refused: 1 },
        { date: '2026-12-07', views: 50, submissions: 4 },
      ],
      '2026-12-05',
      '2026-12-07',
    );
    expect(stats).toEqual({
      views: 150,
      submissions: 7,
      refused: 1,
      conversionRate: 0.0467,
      days: [
        { date: '2026-12-05', views: 100, submissions: 3, refused: 1 },
        { date: '2026-12-06', views: 0, submissions: 0, refused: 0 },
        { date: '2026-12-07', views: 50, submissions: 4, refused: 0 },
      ],
    });
    expect(summaryOf(stats)).toEqual({ views: 150, submissions: 7, refused: 1, conversionRate: 0.0467 });
  });

  it('has a zero conversion rate without views (an embedded form counts no page view)', () => {
    expect(statsOver([{ date: '2026-12-07', submissions: 2 }], '2026-12-07', '2026-12-07').conversionRate).toBe(0);
  });
});
