import { describe, expect, it } from 'vitest';
import {
  type CostStorePort,
  costStoreLimits,
  costTotals,
  decodeRows,
  encodeRows,
  importCosts,
  mergeMonth,
  type MonthCosts,
  type MonthKey,
  monthsBetween,
  planImport,
} from '../../../functions/channels/domain/costs.js';
import type { CostRow } from '../../../functions/channels/domain/ports.js';

const row = (day: string, campaign: string, cost: number, medium = 'google-ads'): CostRow => ({ day, medium, campaign, cost });

/** Month items in memory, with the version check the DynamoDB store makes; `interfere` runs before a write. */
class MemoryCostStore implements CostStorePort {
  items = new Map<string, MonthCosts>();
  writes = 0;
  interfere?: () => void;
  async readMonths(keys: readonly MonthKey[]) {
    return keys.map((k) => structuredClone(this.items.get(`${k.medium} ${k.month}`)) ?? { ...k, rows: [], version: 0 });
  }
  async writeMonths(items: readonly MonthCosts[]) {
    this.interfere?.();
    this.interfere = undefined;
    if (items.some((m) => (this.items.get(`${m.medium} ${m.month}`)?.version ?? 0) !== m.version)) return false;
    this.writes++;
    for (const m of items) this.items.set(`${m.medium} ${m.month}`, { ...m, version: m.version + 1 });
    return true;
  }
}

describe('month items', () => {
  it('round-trip through their stored form', () => {
    const rows = [{ ...row('2026-07-02', 'B', 1.5), impressions: 3 }, { ...row('2026-07-01', 'A', 2), clicks: 1 }];
    expect(decodeRows('google-ads', '2026-07', encodeRows(rows))).toEqual([rows[1], rows[0]]);
  });

  it('merging replaces the days the import names and keeps the others', () => {
    const stored = [row('2026-07-01', 'A', 1), row('2026-07-02', 'A', 2), row('2026-07-02', 'B', 3)];
    expect(mergeMonth(stored, [row('2026-07-02', 'A', 9)])).toEqual([row('2026-07-01', 'A', 1), row('2026-07-02', 'A', 9)]);
  });

  it('lists the months of a range, across a year end', () => {
    expect(monthsBetween('2025-11-30', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('importing costs', () => {
  it('writes the changed months in one transaction, and nothing when replayed', async () => {
    const store = new MemoryCostStore();
    const rows = [row('2026-06-30', 'A', 1), row('2026-07-01', 'A', 2), row('2026-07-01', 'A', 3, 'meta-ads')];
    expect(await importCosts(rows, 'JPY', store)).toMatchObject({ imported: 3, days: 2, media: ['google-ads', 'meta-ads'], monthsWritten: 3 });
    expect(store.writes).toBe(1);
    expect(await importCosts(rows, 'JPY', store)).toMatchObject({ monthsWritten: 0, monthsUnchanged: 3 });
    expect(store.writes).toBe(1);
  });

  it('reads and merges again when another import moved a month in between, keeping its other days', async () => {
    const store = new MemoryCostStore();
    await importCosts([row('2026-07-01', 'A', 1)], 'JPY', store);
    store.interfere = () => {
      const m = store.items.get('google-ads 2026-07')!;
      store.items.set('google-ads 2026-07', { ...m, rows: [...m.rows, row('2026-07-05', 'Other', 7)], version: m.version + 1 });
    };
    await importCosts([row('2026-07-02', 'A', 2)], 'JPY', store);
    expect(store.items.get('google-ads 2026-07')!.rows.map((r) => r.day)).toEqual(['2026-07-01', '2026-07-02', '2026-07-05']);
  });

  it('refuses, before writing, a file that needs more than one transaction', async () => {
    const store = new MemoryCostStore();
    const rows = Array.from({ length: costStoreLimits.maxItemsPerImport + 1 }, (_, i) => row('2026-07-01', 'A', 1, `medium-${i}`));
    await expect(importCosts(rows, 'JPY', store)).rejects.toThrow(/at most 100 items/);
    expect(store.items.size).toBe(0);
  });

  it('refuses a month holding more day × campaign rows than an item may', () => {
    const rows = Array.from({ length: costStoreLimits.maxRowsPerMonth + 1 }, (_, i) => row(`2026-07-${String((i % 28) + 1).padStart(2, '0')}`, `c${i}`, 1));
    expect(() => planImport(rows, [])).toThrow(/more than 1000/);
  });
});

describe('cost totals', () => {
  it('adds up per medium and campaign, the medium total (*) first', () => {
    const totals = costTotals([{ ...row('2026-07-01', 'A', 1.1), clicks: 2 }, row('2026-07-02', 'A', 2.2), row('2026-07-02', 'B', 5)]);
    expect(totals).toEqual([
      { medium: 'google-ads', campaign: '*', cost: 8.3, impressions: 0, clicks: 2, days: 2 },
      { medium: 'google-ads', campaign: 'B', cost: 5, impressions: 0, clicks: 0, days: 1 },
      { medium: 'google-ads', campaign: 'A', cost: 3.3, impressions: 0, clicks: 2, days: 2 },
    ]);
  });
});
