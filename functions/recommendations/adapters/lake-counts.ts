/**
 * The build's counts from the event lake: one query (queries/cooccurrence.sql) that counts baskets, items
 * and pairs in SQL, on DuckDB locally and Athena on AWS. The two engines differ in one place, turning an
 * order's `products` JSON array into rows (the cast's type name and the text of a JSON value), so that
 * piece is a fragment chosen by engine; everything else is one Trino SQL text (DuckDB gets Trino's
 * json_extract_scalar as a macro, analytics/adapters/duckdb-engine.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LakeEngine } from '../../analytics/domain/engine.js';
import { dtOf } from '../../analytics/domain/lake.js';
import { renderSql, sqlInt, sqlString } from '../../analytics/domain/sql.js';
import type { LakeCounts } from '../domain/build.js';
import { catalogLimits, productOf } from '../domain/catalog.js';
import { type CooccurrenceCounts, cooccurrenceLimits } from '../domain/cooccurrence.js';
import type { Product } from '../domain/model.js';
import { ModelTooLargeError } from '../errors.js';

export const lakeCountLimits = {
  /** Most rows one build reads (pairs dominate): a larger lake is refused with a hint to shorten the window. */
  maxRows: 5_000_000,
} as const;

const here = dirname(fileURLToPath(import.meta.url));
function read(folder: string, name: string): string {
  const file = [join(here, '..', '..', folder, name), join(here, name)].find((f) => existsSync(f));
  if (!file) throw new Error(`${name} not found beside ${here}`);
  return readFileSync(file, 'utf8');
}
let texts: { query: string; persons: string } | undefined;
const sqlTexts = () => (texts ??= { query: read('recommendations/queries', 'cooccurrence.sql'), persons: read('analytics/reports', '_persons.sql') });

/** Per engine: an order's products as rows `p` (JSON) with their 1-based position `pos`, and p as text. */
const dialect: Record<LakeEngine['name'], { order_products: string; order_product_text: string }> = {
  duckdb: {
    order_products: "CROSS JOIN unnest(TRY_CAST(json_extract(properties, '$.products') AS JSON[])) WITH ORDINALITY AS u(p, pos)",
    order_product_text: 'CAST(p AS varchar)',
  },
  athena: {
    order_products: "CROSS JOIN UNNEST(TRY_CAST(json_extract(properties, '$.products') AS ARRAY(JSON))) WITH ORDINALITY AS u(p, pos)",
    order_product_text: 'json_format(p)',
  },
};

/** The rendered SQL of one build's counts on `engine`. */
export function countsSql(engine: LakeEngine['name'], window: { from: Date; to: Date }, opts: { minSupport?: number; maxBasket?: number } = {}): string {
  const { query, persons } = sqlTexts();
  return renderSql(query, { persons, ...dialect[engine] }, {
    from_dt: sqlString(dtOf(window.from.getTime())),
    to_dt: sqlString(dtOf(window.to.getTime())),
    from_ts: sqlInt(window.from.getTime()),
    to_ts: sqlInt(window.to.getTime()),
    max_basket: sqlInt(opts.maxBasket ?? cooccurrenceLimits.maxBasketProducts),
    min_support: sqlInt(opts.minSupport ?? cooccurrenceLimits.minSupport),
    max_order_products: sqlInt(catalogLimits.maxOrderProducts),
    max_id_chars: sqlInt(catalogLimits.maxProductIdChars),
  });
}

const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const emptyCounts = (): CooccurrenceCounts => ({ baskets: 0, items: new Map(), pairs: [] });

/** Runs the counts query over the window and shapes its rows. */
export async function lakeCounts(engine: LakeEngine, window: { from: Date; to: Date }, opts: { minSupport?: number; maxBasket?: number } = {}): Promise<LakeCounts & { elapsedMs: number; bytesScanned: number }> {
  const { rows, elapsedMs, bytesScanned } = await engine.query(countsSql(engine.name, window, opts));
  if (rows.length > lakeCountLimits.maxRows) throw new ModelTooLargeError(`more than ${lakeCountLimits.maxRows} count rows: build over a shorter window (--days)`);
  const counts = { bought: emptyCounts(), viewed: emptyCounts() };
  const people = new Map<string, { buyers: number; viewers: number }>();
  const learnt: Product[] = [];
  for (const r of rows) {
    const kind = r.kind === 'bought' || r.kind === 'viewed' ? counts[r.kind] : undefined;
    const n = Number(r.n ?? 0);
    if (r.rec === 'pair' && kind) kind.pairs.push({ a: String(r.a), b: String(r.b), n });
    else if (r.rec === 'item' && kind) {
      const id = String(r.a);
      kind.items.set(id, n);
      const p = people.get(id) ?? { buyers: 0, viewers: 0 };
      if (r.kind === 'bought') p.buyers = Number(r.persons ?? 0);
      else p.viewers = Number(r.persons ?? 0);
      people.set(id, p);
    } else if (r.rec === 'total' && kind) kind.baskets = n;
    else if (r.rec === 'product') {
      const props = { product_id: text(r.a), name: text(r.name), price: text(r.price), currency: text(r.currency), category: text(r.category), url: text(r.url), image_url: text(r.image_url) };
      const p = productOf(props, new Date(Number(r.ts)).toISOString());
      if (p) learnt.push({ ...p, source: 'events' });
    }
  }
  for (const c of [counts.bought, counts.viewed]) c.pairs.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  learnt.sort((x, y) => (x.productId < y.productId ? -1 : 1));
  return { window: { from: window.from.toISOString(), to: window.to.toISOString() }, ...counts, people, learnt, elapsedMs, bytesScanned };
}
