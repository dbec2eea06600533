/**
 * The model build use case: read the window's counts, learn the catalog from them (uploads win), weight and
 * rank, and replace every list family. Idempotent: the same lake gives the same catalog writes (none, the
 * second time) and the same lists. Pure but for its ports.
 */
import { buildModels, type BuiltList, buildWindow, type LakeCounts, type ListFamily, listFamilies } from './build.js';
import { mergeLearnt } from './catalog.js';
import type { Product } from './model.js';

export interface BuildPorts {
  counts(window: { from: Date; to: Date }): Promise<LakeCounts>;
  catalog: { many(ids: Iterable<string>): Promise<Map<string, Product>>; putMany(products: readonly Product[]): Promise<void> };
  lists: { replaceFamily(family: ListFamily, lists: readonly BuiltList[]): Promise<{ written: number; deleted: number }> };
}

export interface BuildReport {
  builtAt: string;
  window: { from: string; to: string; days: number };
  /** Catalog records written from events (new products or changed fields). */
  productsLearnt: number;
  figures: ReturnType<typeof buildModels>['figures'];
  deleted: Record<ListFamily, number>;
  /** Wall time of the lake query and of weighting, ranking and writing, ms. */
  timings: { countsMs: number; modelMs: number; writeMs: number };
}

export async function runBuild(ports: BuildPorts, opts: { now: Date; days?: number }): Promise<BuildReport> {
  const window = buildWindow(opts.now, opts.days);
  const t0 = Date.now();
  const counts = await ports.counts(window);
  const t1 = Date.now();
  const ids = new Set<string>([...counts.people.keys(), ...counts.learnt.map((p) => p.productId)]);
  const stored = await ports.catalog.many(ids);
  const writes = counts.learnt.map((p) => mergeLearnt(stored.get(p.productId), p)).filter((p): p is Product => Boolean(p));
  await ports.catalog.putMany(writes);
  const catalog = new Map(stored);
  for (const p of writes) catalog.set(p.productId, p);
  const t2 = Date.now();
  const build = buildModels(counts, catalog, opts.now.toISOString());
  const t3 = Date.now();
  const deleted = { 'bought-together': 0, 'viewed-together': 0, popular: 0 } as Record<ListFamily, number>;
  for (const family of listFamilies) {
    deleted[family] = (await ports.lists.replaceFamily(family, build.lists.filter((l) => l.family === family))).deleted;
  }
  return {
    builtAt: opts.now.toISOString(),
    window: { ...counts.window, days: window.days },
    productsLearnt: writes.length,
    figures: build.figures,
    deleted,
    timings: { countsMs: t1 - t0, modelMs: t3 - t2, writeMs: Date.now() - t3 + (t2 - t1) },
  };
}
