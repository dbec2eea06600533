/**
 * Stored ad costs: one month item per (medium, month) holding its days × campaigns, and the import that
 * replaces the days a file names. Pure: the store is a port.
 *
 * - Re-importing a day of a medium replaces that day's rows of that medium; days the file does not name
 *   keep theirs. Month items the import leaves equal are not written, so replaying a file writes nothing.
 * - One import is one transaction: every changed month item is written together, each on the condition
 *   that its version is still the one read (an import racing another over the same month reads again and
 *   merges again, at most `maxAttempts` times). A file that would need more than one transaction
 *   (`maxItemsPerImport` items or `maxTransactionBytes`) is refused before anything is written, so an
 *   import is all or nothing.
 */
import type { CostRow } from './ports.js';

/** Amounts keep at most 6 decimals (sums of decimal fractions drift otherwise). */
export const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Bounds of stored costs (README "Ad costs"). */
export const costStoreLimits = {
  /** Day × campaign rows of one (medium, month) item (e.g. 31 days × 32 campaigns). */
  maxRowsPerMonth: 1_000,
  /** Bytes of one month item's rows, under DynamoDB's 400 KB item limit with room for the key and version. */
  maxItemBytes: 390_000,
  /** DynamoDB TransactWriteItems: at most 100 items… */
  maxItemsPerImport: 100,
  /** …of at most 4 MB together. */
  maxTransactionBytes: 4_000_000,
  /** Reads and merges again when another import moved a month in between. */
  maxAttempts: 3,
  /** Days a read (GET, CostReader) may span. */
  maxReadDays: 1_096,
} as const;

/** A month item: its medium, month (YYYY-MM), rows, and the version its last write set (0: none stored). */
export interface MonthCosts {
  medium: string;
  month: string;
  rows: CostRow[];
  version: number;
}

export interface MonthKey {
  medium: string;
  month: string;
}

/** What importing needs of the store (functions/channels/adapters/cost-store.ts). */
export interface CostStorePort {
  /** The month items of `keys` (version 0 and no rows for those not stored), consistent reads. */
  readMonths(keys: readonly MonthKey[]): Promise<MonthCosts[]>;
  /** Writes every item in one transaction if each is still at its `version`; false when one moved. */
  writeMonths(items: readonly MonthCosts[], currency: string): Promise<boolean>;
}

export class CostImportError extends Error {
  override name = 'CostImportError';
  constructor(
    readonly field: string,
    message: string,
    readonly status: 400 | 409 = 400,
  ) {
    super(message);
  }
}

export const monthOf = (day: string) => day.slice(0, 7);
const keyText = (k: MonthKey) => `${k.medium} ${k.month}`;
const byDayCampaign = (a: CostRow, b: CostRow) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0);

/** Rows of one month item as stored: `[day of month, campaign, cost, impressions?, clicks?]`, day-ordered. */
export function encodeRows(rows: readonly CostRow[]): string {
  return JSON.stringify([...rows].sort(byDayCampaign).map((r) => [Number(r.day.slice(8, 10)), r.campaign, r.cost, r.impressions ?? null, r.clicks ?? null]));
}

export function decodeRows(medium: string, month: string, text: string): CostRow[] {
  const entries = JSON.parse(text) as [number, string, number, number | null, number | null][];
  return entries.map(([d, campaign, cost, impressions, clicks]) => ({
    day: `${month}-${String(d).padStart(2, '0')}`,
    medium,
    campaign,
    cost,
    ...(impressions === null ? {} : { impressions }),
    ...(clicks === null ? {} : { clicks }),
  }));
}

/** The (medium, month) items rows fall in, each with its rows. */
export function groupByMonth(rows: readonly CostRow[]): Map<string, { key: MonthKey; rows: CostRow[] }> {
  const out = new Map<string, { key: MonthKey; rows: CostRow[] }>();
  for (const r of rows) {
    const key = { medium: r.medium, month: monthOf(r.day) };
    const g = out.get(keyText(key)) ?? { key, rows: [] };
    g.rows.push(r);
    out.set(keyText(key), g);
  }
  return out;
}

/** A month's rows after importing `incoming`: the days it names replaced, the others kept. */
export function mergeMonth(stored: readonly CostRow[], incoming: readonly CostRow[]): CostRow[] {
  const days = new Set(incoming.map((r) => r.day));
  return [...stored.filter((r) => !days.has(r.day)), ...incoming].sort(byDayCampaign);
}

export interface ImportPlan {
  /** Changed month items, at the version read (written with version + 1). */
  writes: MonthCosts[];
  /** Month items the file touches that are already as it says. */
  unchanged: number;
}

/** The writes of an import over the stored months; a CostImportError when they exceed a bound. */
export function planImport(incoming: readonly CostRow[], stored: readonly MonthCosts[]): ImportPlan {
  const byKey = new Map(stored.map((m) => [keyText(m), m]));
  const writes: MonthCosts[] = [];
  let unchanged = 0;
  let bytes = 0;
  for (const { key, rows } of groupByMonth(incoming).values()) {
    const old = byKey.get(keyText(key)) ?? { ...key, rows: [], version: 0 };
    const merged = mergeMonth(old.rows, rows);
    const text = encodeRows(merged);
    if (old.version > 0 && text === encodeRows(old.rows)) {
      unchanged++;
      continue;
    }
    if (merged.length > costStoreLimits.maxRowsPerMonth) {
      throw new CostImportError('file', `${key.medium} ${key.month} would hold ${merged.length} day × campaign rows, more than ${costStoreLimits.maxRowsPerMonth}`);
    }
    const size = Buffer.byteLength(text, 'utf8');
    if (size > costStoreLimits.maxItemBytes) {
      throw new CostImportError('file', `${key.medium} ${key.month} would take ${size} bytes, more than ${costStoreLimits.maxItemBytes} (shorter campaign names or fewer campaigns)`);
    }
    bytes += size;
    writes.push({ ...key, rows: merged, version: old.version });
  }
  if (writes.length > costStoreLimits.maxItemsPerImport || bytes > costStoreLimits.maxTransactionBytes) {
    throw new CostImportError(
      'file',
      `the file changes ${writes.length} (medium, month) items of ${bytes} bytes; one import writes at most ${costStoreLimits.maxItemsPerImport} items and ${costStoreLimits.maxTransactionBytes} bytes in one transaction: split it by month`,
    );
  }
  return { writes, unchanged };
}

export interface ImportResult {
  /** Rows the file held (after adding up repeats of a medium, day and campaign). */
  imported: number;
  days: number;
  media: string[];
  currency: string;
  /** Month items written (0 when the stored costs already said the same). */
  monthsWritten: number;
  monthsUnchanged: number;
}

export type ImportProgress = (phase: 'read' | 'write' | 'done', done: number, total: number) => void;

/** Imports validated rows: reads the months they touch, merges, writes the changed ones in one transaction. */
export async function importCosts(rows: readonly CostRow[], currency: string, store: CostStorePort, progress: ImportProgress = () => {}): Promise<ImportResult> {
  const keys = [...groupByMonth(rows).values()].map((g) => g.key);
  for (let attempt = 1; ; attempt++) {
    progress('read', 0, keys.length);
    const stored = await store.readMonths(keys);
    progress('read', keys.length, keys.length);
    const plan = planImport(rows, stored);
    progress('write', 0, plan.writes.length);
    if (plan.writes.length === 0 || (await store.writeMonths(plan.writes, currency))) {
      progress('done', plan.writes.length, plan.writes.length);
      return {
        imported: rows.length,
        days: new Set(rows.map((r) => r.day)).size,
        media: [...new Set(rows.map((r) => r.medium))].sort(),
        currency,
        monthsWritten: plan.writes.length,
        monthsUnchanged: plan.unchanged,
      };
    }
    if (attempt >= costStoreLimits.maxAttempts) throw new CostImportError('file', 'another import changed the same months meanwhile; try again', 409);
  }
}

/** Every month YYYY-MM from `from` to `to` (days, inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = monthOf(to);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) return out;
    out.push(month);
    if (++m > 12) [y, m] = [y + 1, 1];
  }
}

export interface CostTotal {
  medium: string;
  campaign: string;
  cost: number;
  impressions: number;
  clicks: number;
  days: number;
}

/** Totals per medium and campaign (and per medium, campaign `*`), costliest first. */
export function costTotals(rows: readonly CostRow[]): CostTotal[] {
  const out = new Map<string, CostTotal & { daySet: Set<string> }>();
  const add = (medium: string, campaign: string, r: CostRow) => {
    const k = JSON.stringify([medium, campaign]);
    const t = out.get(k) ?? { medium, campaign, cost: 0, impressions: 0, clicks: 0, days: 0, daySet: new Set<string>() };
    t.cost = round(t.cost + r.cost);
    t.impressions += r.impressions ?? 0;
    t.clicks += r.clicks ?? 0;
    t.daySet.add(r.day);
    out.set(k, t);
  };
  for (const r of rows) {
    add(r.medium, r.campaign, r);
    add(r.medium, '*', r);
  }
  return [...out.values()]
    .map(({ daySet, ...t }) => ({ ...t, days: daySet.size }))
    .sort((a, b) => (a.medium < b.medium ? -1 : a.medium > b.medium ? 1 : a.campaign === '*' ? -1 : b.campaign === '*' ? 1 : b.cost - a.cost));
}
