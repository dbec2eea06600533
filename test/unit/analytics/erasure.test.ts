import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  type EraseJobPorts,
  type ErasureRequest,
  type ErasureStore,
  erasureLimits,
  type LakeFiles,
  newErasureRequest,
  runErasures,
} from '../../../functions/analytics/domain/erase-job.js';
import { erasureIdsSql, filesSql, keptRowsSql, maxErasedIds, rewritePlan } from '../../../functions/analytics/domain/erasure.js';
import type { LakeRecord } from '../../../functions/analytics/domain/engine.js';
import { maxMergeHops } from '../../../functions/profiles/domain/merge-chain.js';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, opts: { database: string }): unknown } };
const trino = (sql: string) => new Parser().astify(sql, { database: 'trino' });

describe('erasure SQL', () => {
  it('parses as Trino SQL (Athena), the file query with "$path" included', () => {
    expect(() => trino(erasureIdsSql('p_mia'))).not.toThrow();
    expect(() => trino(filesSql('events', ['p_mia', 'p_anon'], '"$path"'))).not.toThrow();
    expect(() => trino(keptRowsSql('identity', ['p_mia'], 'identity', ["dt = '2026-01-05'", `"$path" = 's3://b/identity/dt=2026-01-05/x.parquet'`]))).not.toThrow();
  });

  it(`follows merges at most ${maxMergeHops} hops each way`, () => {
    const sql = erasureIdsSql('p_mia');
    expect(sql).toContain(`up${maxMergeHops} AS`);
    expect(sql).not.toContain(`up${maxMergeHops + 1} AS`);
    expect(sql).toContain(`down${maxMergeHops} AS`);
    expect(sql).not.toContain(`down${maxMergeHops + 1} AS`);
  });

  it('quotes ids so a quote in one cannot end the literal', () => {
    expect(filesSql('events', ["a'b"], 'filename')).toContain("'a''b'");
  });

  it('refuses to rewrite a file outside the lake layout', () => {
    expect(() => rewritePlan('events', [{ file: 's3://b/elsewhere/x.parquet', n: 1 }])).toThrow(/layout/);
  });
});

/** A lake of files in memory: each file a list of rows with a profile id; queries answered from it. */
function memoryLake(files: Record<string, string[]>, merges: [string, string][] = [], failOn?: string): LakeFiles & { rewrites: string[] } {
  const rewrites: string[] = [];
  return {
    fileColumn: 'filename',
    rewrites,
    async query(sql: string) {
      let rows: LakeRecord[];
      if (sql.startsWith('WITH merges')) {
        const start = /CAST\('([^']+)'/.exec(sql)![1]!;
        let survivor = start;
        for (let hop = 0; hop < maxMergeHops; hop++) survivor = merges.find(([from]) => from === survivor)?.[1] ?? survivor;
        const ids = new Set([start, survivor]);
        for (let hop = 0; hop < maxMergeHops; hop++) for (const [from, to] of merges) if (ids.has(to)) ids.add(from);
        rows = [...ids].map((id) => ({ id }));
      } else {
        const ids = [...sql.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
        const table = sql.includes('FROM events') ? 'events/' : 'identity/';
        rows = Object.entries(files)
          .filter(([f]) => f.startsWith(table))
          .map(([file, owners]) => ({ file, n: owners.filter((o) => ids.includes(o)).length }))
          .filter((r) => r.n > 0);
      }
      return { rows, bytesScanned: 0, elapsedMs: 0 };
    },
    async rewrite(file, ids) {
      if (file.file === failOn) throw new Error('S3 said no');
      rewrites.push(file.file);
      files[file.file] = files[file.file]!.filter((o) => !ids.includes(o));
    },
  };
}

function memoryStore(): ErasureStore & { items: Map<string, ErasureRequest> } {
  const items = new Map<string, ErasureRequest>();
  return {
    items,
    async create(r) { items.set(r.requestId, r); },
    async get(id) { return items.get(id); },
    async pending(limit) { return [...items.values()].filter((r) => r.status === 'pending').slice(0, limit); },
    async save(r) { items.set(r.requestId, r); },
  };
}

const t0 = new Date('2026-03-01T04:00:00Z');
const settled = { settleMs: 0, deadline: Number.POSITIVE_INFINITY };

describe('erasure job', () => {
  it('leaves a request younger than the settle time for the next run', async () => {
    const store = memoryStore();
    await store.create(newErasureRequest('r1', 'p_mia', new Date(t0.getTime() - 60_000)));
    const ports: EraseJobPorts = { store, lake: memoryLake({ 'events/dt=2026-02-28/a.parquet': ['p_mia'] }), now: () => t0 };

    const { done, pending } = await runErasures(ports, { settleMs: 30 * 60_000, deadline: Number.POSITIVE_INFINITY });

    expect(done).toEqual([]);
    expect(pending.map((r) => r.requestId)).toEqual(['r1']);
    expect(store.items.get('r1')).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('after a failed rewrite keeps the request pending with the error and the ids, and the next run finishes it', async () => {
    const files = {
      'events/dt=2026-02-27/a.parquet': ['p_anon', 'p_bob'],
      'events/dt=2026-02-28/b.parquet': ['p_mia'],
      'identity/dt=2026-02-28/i.parquet': ['p_anon'],
    };
    const store = memoryStore();
    await store.create(newErasureRequest('r1', 'p_mia', t0));
    const failing = memoryLake(files, [['p_anon', 'p_mia']], 'events/dt=2026-02-28/b.parquet');

    await runErasures({ store, lake: failing, now: () => t0 }, settled);

    expect(store.items.get('r1')).toMatchObject({ status: 'pending', attempts: 1, ids: ['p_anon', 'p_mia'], lastError: 'Error: S3 said no' });
    expect(failing.rewrites).not.toContain('identity/dt=2026-02-28/i.parquet');

    // The next run's lake no longer shows the merge (as if its identity row were gone already): the ids
    // the request kept still cover p_anon.
    const { done } = await runErasures({ store, lake: memoryLake(files, []), now: () => t0 }, settled);

    expect(done.map((r) => r.requestId)).toEqual(['r1']);
    expect(store.items.get('r1')).toMatchObject({ status: 'done', attempts: 2, completedAt: t0.toISOString() });
    expect(store.items.get('r1')!.lastError).toBeUndefined();
    expect(Object.values(files).flat()).toEqual(['p_bob']);
  });

  it('stops starting rewrites at the deadline and carries on in the next run', async () => {
    const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`events/dt=2026-02-${10 + i}/f.parquet`, ['p_mia']]));
    const store = memoryStore();
    await store.create(newErasureRequest('r1', 'p_mia', t0));
    let clock = t0.getTime();
    const lake = memoryLake(files);
    const rewrite = lake.rewrite.bind(lake);
    lake.rewrite = async (f, ids) => {
      clock += 1000;
      await rewrite(f, ids);
    };
    const ports: EraseJobPorts = { store, lake, now: () => new Date(clock) };

    await runErasures(ports, { settleMs: 0, deadline: t0.getTime() + 3000 });
    const first = lake.rewrites.length;
    await runErasures(ports, settled);

    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(3 + erasureLimits.rewriteConcurrency);
    expect(store.items.get('r1')).toMatchObject({ status: 'done', files: 10, rows: 10, attempts: 2 });
  });

  it(`refuses a merge tree of more than ${maxErasedIds} ids instead of erasing blindly`, async () => {
    const merges = Array.from({ length: maxErasedIds }, (_, i) => [`p_${i}`, 'p_hub'] as [string, string]);
    const store = memoryStore();
    await store.create(newErasureRequest('r1', 'p_hub', t0));

    await runErasures({ store, lake: memoryLake({}, merges), now: () => t0 }, settled);

    expect(store.items.get('r1')).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/^TooManyIdsError/) });
  });
});
