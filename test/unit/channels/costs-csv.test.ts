import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costCsvLimits, decodeCostFile, parseAmount, parseCostCsv, parseDay, type ParseCostOptions } from '../../../functions/channels/domain/cost-csv.js';
import { defaultMedia } from '../../../functions/channels/domain/registry.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
const opts: ParseCostOptions = { currency: 'JPY', media: new Set(defaultMedia.map((m) => m.id)), today: '2026-08-01' };
const parse = (text: string, more: Partial<ParseCostOptions> = {}) => parseCostCsv(text, { ...opts, ...more });
const brief = (text: string, more: Partial<ParseCostOptions> = {}) => {
  const p = parse(text, more);
  return { layout: p.layout, errors: p.errors, rows: p.rows.map((r) => [r.medium, r.day, r.campaign, r.cost, r.impressions, r.clicks]) };
};

describe('cost file layouts, recognised from the header row', () => {
  it('Google Ads (English): skips the report title lines and the Total rows', () => {
    const csv = [
      'Campaign report',
      '"July 1, 2026 - July 2, 2026"',
      'Campaign status,Campaign,Day,Currency code,Cost,Impr.,Clicks',
      'Enabled,Brand - JP,2026-07-01,JPY,"1,234.00","10,234",120',
      'Enabled,Brand - JP,2026-07-02,JPY,980,--,--',
      'Total: Account,--,--,JPY,"2,214.00","10,234",120',
      'Total: Campaigns,--,--,JPY,"2,214.00","10,234",120',
    ].join('\n');
    expect(brief(csv)).toEqual({
      layout: 'google-ads',
      errors: [],
      rows: [
        ['google-ads', '2026-07-01', 'Brand - JP', 1234, 10234, 120],
        ['google-ads', '2026-07-02', 'Brand - JP', 980, undefined, undefined],
      ],
    });
  });

  it('Google Ads with Japanese headers in Shift_JIS bytes', () => {
    expect(brief(decodeCostFile(fixture('google-ads-ja-sjis.csv')))).toEqual({
      layout: 'google-ads',
      errors: [],
      rows: [
        ['google-ads', '2026-07-01', '展示会フォロー', 3000, 2000, 40],
        ['google-ads', '2026-07-02', '展示会フォロー', 3500.5, 2100, 41],
      ],
    });
  });

  it('Google Ads "Excel CSV": UTF-16LE with a BOM, tab-separated', () => {
    const text = 'Campaign report\nDay\tCampaign\tCost\tImpressions\tClicks\n2026-07-01\tBrand\t¥500\t100\t5\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(brief(decodeCostFile(bytes)).rows).toEqual([['google-ads', '2026-07-01', 'Brand', 500, 100, 5]]);
  });

  it('Yahoo! JAPAN Ads in Shift_JIS: YYYY/MM/DD days, ¥ amounts, -- as none, 合計 skipped', () => {
    expect(brief(decodeCostFile(fixture('yahoo-ads-sjis.csv')))).toEqual({
      layout: 'yahoo-ads',
      errors: [],
      rows: [
        ['yahoo-ads', '2026-07-01', '春の資料請求', 12345, 1204, 31],
        ['yahoo-ads', '2026-07-02', '春の資料請求', 9870, 980, 22],
        ['yahoo-ads', '2026-07-02', '指名検索', 0, undefined, undefined],
      ],
    });
  });

  it('Meta Ads Manager: the currency in the cost header, rows of the same day and campaign added up', () => {
    const csv = '\uFEFFReporting starts,Reporting ends,Campaign name,Ad set name,Amount spent (JPY),Impressions,Link clicks\n' + '2026-07-01,2026-07-01,Retarget,A,1000,500,9\n2026-07-01,2026-07-01,Retarget,B,250,100,1\n';
    expect(brief(csv)).toEqual({ layout: 'meta-ads', errors: [], rows: [['meta-ads', '2026-07-01', 'Retarget', 1250, 600, 10]] });
    expect(parse(csv.replace('(JPY)', '(USD)')).errors).toEqual([{ line: 1, field: 'cost', message: "amounts are in USD, the deployment's currency is JPY" }]);
  });

  it('skips summary rows but not campaigns whose names start like one', () => {
    const csv = 'Campaign name,Reporting starts,Amount spent (JPY)\nTotal Recall,2026-07-01,10\nTotally New,2026-07-01,20\nTotal,,30\nTotal: Account,,30\n';
    expect(brief(csv).rows.map((r) => r[2])).toEqual(['Total Recall', 'Totally New']);
  });

  it('Microsoft Advertising: report header lines, MM/DD/YYYY days, © footer skipped', () => {
    const csv = [
      '"Report Name: Campaign performance"',
      '"Report Time: 7/1/2026 - 7/2/2026"',
      '"Time Zone: (GMT+09:00) Osaka, Sapporo, Tokyo"',
      '',
      'TimePeriod,CampaignName,CurrencyCode,Impressions,Clicks,Spend',
      '7/2/2026,Bing Brand,JPY,300,12,"1,800.25"',
      '"©2026 Microsoft Corporation. All rights reserved. "',
    ].join('\n');
    expect(brief(csv)).toEqual({ layout: 'microsoft-ads', errors: [], rows: [['microsoft-ads', '2026-07-02', 'Bing Brand', 1800.25, 300, 12]] });
  });

  it('LinkedIn campaign performance: Start Date (in UTC) as MM/DD/YYYY, Total Spent', () => {
    const csv = [
      'Campaign Performance Report (in UTC)',
      'Report Start: 7/1/2026, 12:00 AM',
      'Start Date (in UTC),Campaign Name,Campaign ID,Total Spent,Impressions,Clicks,Currency',
      '07/01/2026,ABM Tier 1,123,"4,000.00",900,7,JPY',
    ].join('\n');
    expect(brief(csv).rows).toEqual([['linkedin-ads', '2026-07-01', 'ABM Tier 1', 4000, 900, 7]]);
  });

  it("Nurture's template: the medium per row; --medium overrides every row's", () => {
    const csv = readFileSync(join(import.meta.dirname, '..', '..', '..', 'cli', 'samples', 'ad-costs-template.csv'), 'utf8');
    const p = parse(csv);
    expect(p.layout).toBe('nurture');
    expect(p.errors).toEqual([]);
    expect(p.rows.map((r) => r.medium)).toEqual(['google-ads', 'yahoo-ads', 'event']);
    expect(new Set(parse(csv, { medium: 'line-ads' }).rows.map((r) => r.medium))).toEqual(new Set(['line-ads']));
  });

  it('a platform layout implies its medium; --medium overrides it, an unknown one is an error', () => {
    const csv = 'Day,Campaign,Cost\n2026-07-01,Brand,1\n';
    expect(parse(csv, { medium: 'google-display' }).rows[0]!.medium).toBe('google-display');
    expect(parse(csv, { medium: 'tv' }).errors).toEqual([{ line: 1, field: 'medium', message: '"tv" is no medium of the registry' }]);
  });

  it('--layout forces one layout: another header is then not recognised', () => {
    expect(parse('Day,Campaign,Cost\n2026-07-01,Brand,1\n', { layout: 'linkedin-ads' }).errors[0]).toMatchObject({ line: 1, field: 'header' });
  });
});

describe('bad rows, each with its line and field', () => {
  it('reports every bad row and field, not only the first', () => {
    const csv = [
      'date,medium,campaign,cost,currency,impressions,clicks',
      '2026-07-01,google-ads,Brand,100,JPY,10,1',
      '2026-02-30,google-ads,Brand,100,JPY,10,1',
      '2026-07-01,Google Ads,Brand,100,JPY,10,1',
      '2026-07-01,yahoo-ads,,-5,USD,1.5,x',
      '2026-08-02,google-ads,Brand,100,JPY,,',
      '2023-01-01,google-ads,Brand,100,JPY,,',
      `2026-07-01,google-ads,${'x'.repeat(costCsvLimits.maxCampaignChars + 1)},1,JPY,,`,
    ].join('\n');
    expect(parse(csv).errors.map((e) => `${e.line}:${e.field}`)).toEqual(['3:day', '4:medium', '5:campaign', '5:currency', '5:cost', '5:impressions', '5:clicks', '6:day', '7:day', '8:campaign']);
  });

  it('names the line of a row after a quoted field spanning lines', () => {
    const csv = 'date,medium,campaign,cost\n2026-07-01,google-ads,"Two\nlines",1\n2026-07-01,google-ads,Brand,oops\n';
    expect(parse(csv).errors).toEqual([{ line: 4, field: 'cost', message: '"oops" is not a number' }]);
  });

  it('says which headers it knows when there is none', () => {
    expect(parse('foo,bar\n1,2\n').errors).toEqual([{ line: 1, field: 'header', message: expect.stringContaining('google-ads (day, campaign, cost)') }]);
  });

  it('refuses more rows than the bound', () => {
    const rows = Array.from({ length: costCsvLimits.maxRows + 1 }, () => '2026-07-01,google-ads,Brand,1');
    const p = parse(['date,medium,campaign,cost', ...rows].join('\n'));
    expect(p.errors).toEqual([{ line: costCsvLimits.maxRows + 2, field: 'file', message: `more than ${costCsvLimits.maxRows} rows: split the file` }]);
  });
});

describe('amounts and days', () => {
  it.each([
    ['1,234', 1234],
    ['¥1,234', 1234],
    ['￥ 1,234円', 1234],
    ['$1,234.56', 1234.56],
    ['JPY 500', 500],
    ['--', undefined],
    ['', undefined],
    ['-5', 'bad'],
    ['1.2.3', 'bad'],
  ])('%j is %j', (raw, want) => expect(parseAmount(raw)).toBe(want));

  it('reads days in the forms a layout allows, and no impossible ones', () => {
    expect(parseDay('2026/7/1', ['ymd'])).toBe('2026-07-01');
    expect(parseDay('07/01/2026', ['mdy'])).toBe('2026-07-01');
    expect(parseDay('07/01/2026', ['ymd'])).toBeUndefined();
    expect(parseDay('2026-02-29', ['ymd'])).toBeUndefined();
  });
});
