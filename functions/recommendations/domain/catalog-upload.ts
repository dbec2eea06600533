/**
 * The catalog upload: `catalog/products.csv` or `catalog/products.json` in the content bucket, checked as a
 * whole. Every bad row is reported with its line (CSV; JSON: the element's index in the field) and field,
 * and nothing is written when any row is bad. Pure.
 */
import { parse } from 'csv-parse/sync';
import type { Problem } from '../../shared/problems.js';
import { sortProblems } from '../../shared/problems.js';
import { closest } from '../../shared/suggest.js';
import { catalogLimits, httpUrl } from './catalog.js';
import { type Product, recommendationLimits } from './model.js';

export const catalogUploadLimits = {
  /** Largest upload read (bytes); a larger file is refused whole. */
  maxBytes: 20 * 1024 * 1024,
  maxProducts: recommendationLimits.maxProducts,
  /** Problems listed in one report (the count says how many there were). */
  maxProblems: 200,
} as const;

export const catalogUploadKeys = { prefix: 'catalog/', sources: ['catalog/products.csv', 'catalog/products.json'] as const } as const;
export const isCatalogUploadKey = (key: string) => (catalogUploadKeys.sources as readonly string[]).includes(key);
/** The check report's key beside the upload: `catalog/products.csv.check.json`. */
export const catalogReportKey = (key: string) => `${key}.check.json`;

/** Columns (CSV) and keys (JSON) an upload may hold. */
export const catalogColumns = ['product_id', 'sku', 'name', 'price', 'currency', 'category', 'url', 'image_url', 'available', 'availability'] as const;
/** `availability` values; out_of_stock and discontinued mean never recommended. */
export const availabilityValues = ['in_stock', 'out_of_stock', 'discontinued', 'preorder'] as const;

export interface CatalogCheckReport {
  source: string;
  ok: boolean;
  checkedAt: string;
  /** Products written (0 when any row is bad). */
  products: number;
  problemCount: number;
  problems: Problem[];
}

export interface ParsedCatalog {
  products: Product[];
  problems: Problem[];
}

type Row = Record<string, unknown>;

/** One row's product, or its problems; `where` names the row (`line` for CSV, a field prefix for JSON). */
function rowProduct(row: Row, at: string, where: { line?: number; prefix: string }): { product?: Product; problems: Problem[] } {
  const problems: Problem[] = [];
  const bad = (field: string, message: string, suggestion?: string) =>
    problems.push({ field: `${where.prefix}${field}`, ...(where.line ? { line: where.line } : {}), message, ...(suggestion ? { suggestion } : {}) });
  const str = (k: string) => {
    const v = row[k];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  };
  for (const k of Object.keys(row)) {
    if (!(catalogColumns as readonly string[]).includes(k)) bad(k, 'is not a catalog field', closest(k, catalogColumns));
  }
  const id = str('product_id') ?? str('sku');
  // eslint-disable-next-line no-control-regex
  if (!id) bad('product_id', 'is required (product_id or sku)');
  else if (id.length > catalogLimits.maxProductIdChars) bad('product_id', `is longer than ${catalogLimits.maxProductIdChars} characters`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(id)) bad('product_id', 'holds a control character');
  const name = str('name');
  if (!name) bad('name', 'is required');
  else if (name.length > catalogLimits.maxNameChars) bad('name', `is longer than ${catalogLimits.maxNameChars} characters`);
  const product: Product = { productId: id ?? '', name: name ?? '', updatedAt: at, source: 'upload' };
  const priceText = str('price');
  if (priceText !== undefined) {
    const n = Number(priceText);
    if (!Number.isFinite(n) || n < 0) bad('price', 'must be a number of 0 or more');
    else product.price = n;
  }
  const cur = str('currency');
  if (cur !== undefined) {
    if (!/^[A-Za-z]{3}$/.test(cur)) bad('currency', 'must be a three-letter ISO 4217 code');
    else product.currency = cur.toUpperCase();
  }
  const cat = str('category');
  if (cat !== undefined) {
    if (cat.length > catalogLimits.maxCategoryChars) bad('category', `is longer than ${catalogLimits.maxCategoryChars} characters`);
    else product.category = cat;
  }
  for (const [col, field] of [['url', 'url'], ['image_url', 'image']] as const) {
    const v = str(col);
    if (v === undefined) continue;
    const u = httpUrl(v);
    if (!u) bad(col, `must be an http(s) URL of at most ${catalogLimits.maxUrlChars} characters`);
    else product[field] = u;
  }
  const available = str('available');
  if (available !== undefined) {
    const v = available.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) product.available = true;
    else if (['false', '0', 'no'].includes(v)) product.available = false;
    else bad('available', 'must be true or false');
  }
  const availability = str('availability');
  if (availability !== undefined) {
    if (!(availabilityValues as readonly string[]).includes(availability)) bad('availability', `must be one of ${availabilityValues.join(', ')}`, closest(availability, availabilityValues));
    else if (availability === 'out_of_stock' || availability === 'discontinued') product.available = false;
    else product.available ??= true;
  }
  return problems.length > 0 ? { problems } : { product, problems };
}

function csvRows(text: string): { rows: { row: Row; line: number }[]; problems: Problem[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    return { rows: [], problems: [{ field: '(csv)', line: (err as { lines?: number }).lines ?? 1, message: `not readable as CSV: ${(err as Error).message}` }] };
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], problems: [{ field: '(document)', message: 'the file has no header row' }] };
  const columns = head.record.map((c) => c.trim());
  const rows = body.map(({ record, info }) => {
    const row: Row = {};
    columns.forEach((c, i) => {
      if (record[i] !== undefined && record[i] !== '') row[c] = record[i];
    });
    // A cell beyond the header has no column: reported as such.
    for (let i = columns.length; i < record.length; i++) if (record[i] !== '') row[`(column ${i + 1})`] = record[i];
    return { row, line: info.lines };
  });
  return { rows, problems: [] };
}

function jsonRows(text: string): { rows: { row: Row; index: number }[]; problems: Problem[]; field: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { rows: [], problems: [{ field: '(json)', message: `not readable as JSON: ${(err as Error).message}` }], field: '' };
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null && Array.isArray((doc as Row).products) ? ((doc as Row).products as unknown[]) : undefined;
  if (!list) return { rows: [], problems: [{ field: '(document)', message: 'must be an array of products, or {"products": [...]}' }], field: '' };
  const field = Array.isArray(doc) ? '' : 'products';
  const rows: { row: Row; index: number }[] = [];
  const problems: Problem[] = [];
  list.forEach((row, index) => {
    if (typeof row === 'object' && row !== null && !Array.isArray(row)) rows.push({ row: row as Row, index });
    else problems.push({ field: `${field}[${index}]`, message: 'must be an object' });
  });
  return { rows, problems, field };
}

/** The products of an upload (`format` from its key), or every problem it has. */
export function parseCatalogUpload(text: string, format: 'csv' | 'json', at: string): ParsedCatalog {
  const problems: Problem[] = [];
  const products: Product[] = [];
  const seen = new Map<string, string>();
  const add = (row: Row, where: { line?: number; prefix: string }) => {
    const r = rowProduct(row, at, where);
    problems.push(...r.problems);
    if (!r.product) return;
    const first = seen.get(r.product.productId);
    if (first) problems.push({ field: `${where.prefix}product_id`, ...(where.line ? { line: where.line } : {}), message: `repeats ${r.product.productId} (first at ${first})` });
    else {
      seen.set(r.product.productId, where.line ? `line ${where.line}` : where.prefix.replace(/\.$/, ''));
      products.push(r.product);
    }
  };
  if (format === 'csv') {
    const parsed = csvRows(text);
    problems.push(...parsed.problems);
    for (const { row, line } of parsed.rows) add(row, { line, prefix: '' });
  } else {
    const parsed = jsonRows(text);
    problems.push(...parsed.problems);
    for (const { row, index } of parsed.rows) add(row, { prefix: `${parsed.field}[${index}].` });
  }
  if (products.length + problems.length === 0) problems.push({ field: '(document)', message: 'holds no products' });
  if (products.length > catalogUploadLimits.maxProducts) problems.push({ field: '(document)', message: `holds more than ${catalogUploadLimits.maxProducts} products` });
  return problems.length > 0 ? { products: [], problems: sortProblems(problems) } : { products, problems };
}

/** The report of one check: ok with the products written, or every problem (the first maxProblems listed). */
export function catalogReport(source: string, parsed: ParsedCatalog, checkedAt: string): CatalogCheckReport {
  const ok = parsed.problems.length === 0;
  return { source, ok, checkedAt, products: ok ? parsed.products.length : 0, problemCount: parsed.problems.length, problems: parsed.problems.slice(0, catalogUploadLimits.maxProblems) };
}
