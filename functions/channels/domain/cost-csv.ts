/**
 * Ad cost CSV files as the ad platforms export them, read into cost rows. Pure.
 *
 * - Bytes: a UTF-8 BOM is stripped, a UTF-16LE BOM (Google Ads' "Excel CSV") decodes as UTF-16, bytes that
 *   are not valid UTF-8 decode as Shift_JIS (Yahoo! JAPAN Ads and Excel on Japanese Windows). Tab- or
 *   comma-separated, whichever the header row uses.
 * - The layout is recognised from its header row, which may follow title lines (Google Ads' report name and
 *   date range, Microsoft's "Report Name: …"); rows above it are skipped, at most `maxTitleLines`.
 * - Summary rows (first cell "Total…" / "合計…") and Microsoft's "©…" footer are skipped, not errors.
 * - Rows of the same medium, day and campaign add up (an export segmented by device or ad group).
 * - Every bad row is reported with its line and field; the caller writes nothing when there is any.
 */
import { parse } from 'csv-parse/sync';
import { round } from './costs.js';
import type { CostRow } from './ports.js';
import { mediumIdPattern } from './registry.js';

/** Bounds of one import (README "Ad costs"). */
export const costCsvLimits = {
  /** Bytes of a file: API Gateway's payload limit is 10 MB, and a body arrives whole in the function. */
  maxBytes: 10 * 1024 * 1024,
  /** Data rows of a file. */
  maxRows: 100_000,
  /** Lines above the header row (report titles) searched for it. */
  maxTitleLines: 20,
  /** How far back a day may lie (about three years: the ad platforms keep about as much). */
  maxDaysBack: 1_096,
  /** Characters of a campaign name (Google Ads' own limit is 255). */
  maxCampaignChars: 255,
  /** Largest cost of one row, impressions and clicks likewise. */
  maxAmount: 1e12,
  /** Bad rows an answer lists (all are counted). */
  maxErrors: 1_000,
} as const;

/** ISO 4217 code of the deployment's currency (context key `nurture:currency`, env CURRENCY). */
export const currencyPattern = /^[A-Z]{3}$/;
export const defaultCurrency = 'JPY';

export const layoutIds = ['nurture', 'google-ads', 'meta-ads', 'yahoo-ads', 'microsoft-ads', 'linkedin-ads'] as const;
export type LayoutId = (typeof layoutIds)[number];

type Field = 'day' | 'medium' | 'campaign' | 'cost' | 'currency' | 'impressions' | 'clicks';
type DateForm = 'ymd' | 'mdy';

interface Layout {
  id: LayoutId;
  /** The medium id rows have unless the file says (Nurture's layout) or the importer overrides it. */
  medium?: string;
  dates: readonly DateForm[];
  /** Header names per field, lower-cased; `cost` may also be matched by `costWithCurrency`. */
  columns: Partial<Record<Field, readonly string[]>>;
  /** A cost header carrying the currency, e.g. Meta's `Amount spent (JPY)`. */
  costWithCurrency?: RegExp;
}

/** The layouts, in detection order (README "Ad costs" lists their columns). */
export const layouts: readonly Layout[] = [
  {
    id: 'nurture',
    dates: ['ymd'],
    columns: { day: ['date'], medium: ['medium'], campaign: ['campaign'], cost: ['cost'], currency: ['currency'], impressions: ['impressions'], clicks: ['clicks'] },
  },
  {
    id: 'google-ads',
    medium: 'google-ads',
    dates: ['ymd'],
    columns: {
      day: ['day', '日', '日付'],
      campaign: ['campaign', 'キャンペーン'],
      cost: ['cost', '費用'],
      currency: ['currency code', 'currency', '通貨コード'],
      impressions: ['impressions', 'impr.', '表示回数'],
      clicks: ['clicks', 'クリック数'],
    },
  },
  {
    id: 'meta-ads',
    medium: 'meta-ads',
    dates: ['ymd'],
    columns: {
      day: ['reporting starts', 'day', 'レポート開始日'],
      campaign: ['campaign name', 'キャンペーン名'],
      cost: ['amount spent', '消化金額'],
      currency: ['currency', '通貨'],
      impressions: ['impressions', 'インプレッション'],
      clicks: ['link clicks', 'clicks (all)', 'リンクのクリック', 'クリック(すべて)'],
    },
    costWithCurrency: /^(?:amount spent|消化金額) ?\(([a-z]{3})\)$/,
  },
  {
    id: 'yahoo-ads',
    medium: 'yahoo-ads',
    dates: ['ymd'],
    columns: { day: ['日', '日付'], campaign: ['キャンペーン名'], cost: ['コスト'], currency: ['通貨'], impressions: ['インプレッション数'], clicks: ['クリック数'] },
  },
  {
    id: 'microsoft-ads',
    medium: 'microsoft-ads',
    dates: ['ymd', 'mdy'],
    columns: {
      day: ['timeperiod', 'gregorian date', 'date'],
      campaign: ['campaign name', 'campaignname'],
      cost: ['spend'],
      currency: ['currency code', 'currencycode'],
      impressions: ['impressions', 'impr.'],
      clicks: ['clicks'],
    },
  },
  {
    id: 'linkedin-ads',
    medium: 'linkedin-ads',
    dates: ['mdy', 'ymd'],
    columns: {
      day: ['start date (in utc)', 'start date'],
      campaign: ['campaign name'],
      cost: ['total spent', 'amount spent'],
      currency: ['currency'],
      impressions: ['impressions'],
      clicks: ['clicks'],
    },
  },
];

/** One bad row: its line in the file (1-based; the header's line for file-wide faults) and field. */
export interface CostRowError {
  line: number;
  field: string;
  message: string;
}

export interface ParseCostOptions {
  /** The deployment's currency (ISO 4217): a row in another is an error. */
  currency: string;
  /** Medium ids of the registry in force. */
  media: ReadonlySet<string>;
  /** Today, UTC YYYY-MM-DD: later days are errors, and days before today − maxDaysBack. */
  today: string;
  medium?: string;
  layout?: LayoutId;
}

export interface ParsedCosts {
  layout: LayoutId;
  /** Rows added up per (medium, day, campaign), in file order of their first row. */
  rows: CostRow[];
  errors: CostRowError[];
  /** Data rows read (summary rows excluded). */
  dataRows: number;
}

/** Text of a cost file's bytes (see the module comment for the encodings). */
export function decodeCostFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    return new TextDecoder('shift_jis').decode(bytes);
  }
}

const norm = (s: string) => s.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');

interface Header {
  layout: Layout;
  index: Partial<Record<Field, number>>;
  headerCurrency?: string;
}

function matchHeader(cells: string[], layout: Layout): Header | undefined {
  const names = cells.map(norm);
  const index: Partial<Record<Field, number>> = {};
  let headerCurrency: string | undefined;
  for (const [field, aliases] of Object.entries(layout.columns) as [Field, readonly string[]][]) {
    const i = names.findIndex((n) => aliases.includes(n));
    if (i >= 0) index[field] = i;
  }
  if (index.cost === undefined && layout.costWithCurrency) {
    const i = names.findIndex((n) => layout.costWithCurrency!.test(n));
    if (i >= 0) {
      index.cost = i;
      headerCurrency = layout.costWithCurrency.exec(names[i]!)![1]!.toUpperCase();
    }
  }
  if (index.day === undefined || index.campaign === undefined || index.cost === undefined) return undefined;
  if (layout.id === 'nurture' && index.medium === undefined) return undefined;
  return { layout, index, ...(headerCurrency ? { headerCurrency } : {}) };
}

const isSummary = (cells: string[]) => {
  const first = (cells.find((c) => c.trim() !== '') ?? '').trim();
  // "Total: Account" (Google), "Total" (Microsoft), "合計" / "合計: アカウント" (Yahoo!, Google): not a campaign called "Totally …".
  return first === '' || /^(total|合計|総計)(\s*[:：]|$)|^©/i.test(first);
};

/** Parses a cost amount: thousands separators, currency symbols and codes, `--` (none). Undefined for none. */
export function parseAmount(raw: string): number | undefined | 'bad' {
  // `\` too: Shift_JIS's yen sign is byte 0x5C, which decodes as a backslash.
  const s = raw.replace(/[\s\u00a0]/g, '').replace(/^[A-Z]{3}|[A-Z]{3}$/g, '').replace(/[¥￥\\$€£円,]/g, '');
  if (s === '' || s === '--' || s === '-') return undefined;
  if (!/^\d+(\.\d+)?$/.test(s)) return 'bad';
  return Number(s);
}

/** A day in one of `forms` as YYYY-MM-DD, or undefined. */
export function parseDay(raw: string, forms: readonly DateForm[]): string | undefined {
  const s = raw.trim();
  let y: number | undefined, m: number | undefined, d: number | undefined;
  const ymd = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s);
  const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (ymd && forms.includes('ymd')) [y, m, d] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  else if (mdy && forms.includes('mdy')) [y, m, d] = [Number(mdy[3]), Number(mdy[1]), Number(mdy[2])];
  if (y === undefined || m === undefined || d === undefined) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

const dateFormText: Record<DateForm, string> = { ymd: 'YYYY-MM-DD or YYYY/MM/DD', mdy: 'MM/DD/YYYY' };

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Reads a cost file's text: the layout, the rows, and every bad row. */
export function parseCostCsv(text: string, opts: ParseCostOptions): ParsedCosts {
  const errors: CostRowError[] = [];
  const firstLine = text.slice(0, 4096).split(/\r?\n/, costCsvLimits.maxTitleLines).join('\n');
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter, bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { layout: opts.layout ?? 'nurture', rows: [], errors: [{ line, field: 'file', message: `not readable as CSV: ${(err as Error).message}` }], dataRows: 0 };
  }
  const candidates = opts.layout ? layouts.filter((l) => l.id === opts.layout) : layouts;
  let header: Header | undefined;
  let at = 0;
  for (; at < Math.min(records.length, costCsvLimits.maxTitleLines + 1) && !header; at++) {
    for (const l of candidates) if ((header = matchHeader(records[at]!.record, l))) break;
  }
  if (!header) {
    const wanted = candidates.map((l) => `${l.id} (${l.columns.day![0]}, ${l.columns.campaign![0]}, ${l.columns.cost![0]})`).join('; ');
    return { layout: opts.layout ?? 'nurture', rows: [], errors: [{ line: 1, field: 'header', message: `no header row of a known layout in the first ${costCsvLimits.maxTitleLines + 1} lines: ${wanted}` }], dataRows: 0 };
  }
  const { layout, index } = header;
  const headerLine = records[at - 1]!.info.lines;
  const fail = (line: number, field: string, message: string) => errors.push({ line, field, message });
  if (opts.medium !== undefined && !opts.media.has(opts.medium)) fail(headerLine, 'medium', `"${opts.medium}" is no medium of the registry`);
  if (header.headerCurrency && header.headerCurrency !== opts.currency) fail(headerLine, 'cost', `amounts are in ${header.headerCurrency}, the deployment's currency is ${opts.currency}`);
  const oldest = addDays(opts.today, -costCsvLimits.maxDaysBack);
  const byKey = new Map<string, CostRow>();
  let dataRows = 0;
  for (const { record, info } of records.slice(at)) {
    if (isSummary(record)) continue;
    const line = info.lines;
    if (++dataRows > costCsvLimits.maxRows) {
      fail(line, 'file', `more than ${costCsvLimits.maxRows} rows: split the file`);
      break;
    }
    const cell = (f: Field) => (index[f] === undefined ? undefined : (record[index[f]!] ?? '').trim());
    const before = errors.length;
    const day = parseDay(cell('day') ?? '', layout.dates);
    if (!day) fail(line, 'day', `"${cell('day')}" is not a date (${layout.dates.map((f) => dateFormText[f]).join(' or ')})`);
    else if (day > opts.today) fail(line, 'day', `${day} is in the future`);
    else if (day < oldest) fail(line, 'day', `${day} is more than ${costCsvLimits.maxDaysBack} days back`);
    const medium = opts.medium ?? cell('medium') ?? layout.medium ?? '';
    if (opts.medium === undefined && !opts.media.has(medium)) {
      fail(line, 'medium', mediumIdPattern.test(medium) ? `"${medium}" is no medium of the registry` : `"${medium}" is not a medium id`);
    }
    const campaign = cell('campaign') ?? '';
    if (campaign === '') fail(line, 'campaign', 'empty');
    else if ([...campaign].length > costCsvLimits.maxCampaignChars) fail(line, 'campaign', `longer than ${costCsvLimits.maxCampaignChars} characters`);
    const currency = cell('currency')?.toUpperCase();
    if (currency && currency !== '--' && currency !== opts.currency) fail(line, 'currency', `${currency}: the deployment's currency is ${opts.currency}`);
    const amounts: Partial<Record<'cost' | 'impressions' | 'clicks', number>> = {};
    for (const f of ['cost', 'impressions', 'clicks'] as const) {
      const raw = cell(f);
      if (raw === undefined) continue;
      const v = parseAmount(raw);
      if (v === 'bad') fail(line, f, `"${raw}" is not a number`);
      else if (v !== undefined && v > costCsvLimits.maxAmount) fail(line, f, `larger than ${costCsvLimits.maxAmount}`);
      else if (v !== undefined && f !== 'cost' && !Number.isInteger(v)) fail(line, f, `"${raw}" is not a whole number`);
      else if (v !== undefined) amounts[f] = v;
    }
    if (errors.length > before || !day) continue;
    const key = JSON.stringify([medium, day, campaign]);
    const row = byKey.get(key) ?? { day, medium, campaign, cost: 0 };
    row.cost = round(row.cost + (amounts.cost ?? 0));
    if (amounts.impressions !== undefined) row.impressions = (row.impressions ?? 0) + amounts.impressions;
    if (amounts.clicks !== undefined) row.clicks = (row.clicks ?? 0) + amounts.clicks;
    byKey.set(key, row);
  }
  return { layout: layout.id, rows: [...byKey.values()], errors, dataRows };
}
