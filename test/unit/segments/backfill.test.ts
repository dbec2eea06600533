import { describe, expect, it } from 'vitest';
import { advanceBackfills, type BackfillPorts, type Job, jobStatus, type PartitionProgress, partitionsOf } from '../../../functions/segments/domain/backfill.js';

/** Jobs and partitions in memory; each partition holds `size` profile ids. */
function memoryPorts(job: Job, size: number, clockStart = Date.parse(job.startedAt) + 60_000) {
  const progress = new Map<string, PartitionProgress>();
  const evaluated: string[] = [];
  let now = clockStart;
  let finished: string | undefined;
  const ports: BackfillPorts = {
    jobs: {
      open: async () => (finished ? [] : [job]),
      progress: async () => partitionsOf(job).map((p) => progress.get(p) ?? { partition: p, done: false, pages: 0, evaluated: 0, entered: 0, exited: 0 }),
      advance: async (_j, from, to) => {
        if ((progress.get(from.partition)?.pages ?? 0) !== from.pages) return false;
        progress.set(to.partition, to);
        return true;
      },
      finish: async (_j, at) => void (finished = at),
    },
    page: async (partition, cursor, limit) => {
      const start = Number(cursor ?? 0);
      const ids = Array.from({ length: Math.min(limit, size - start) }, (_, i) => `${partition}/${start + i}`);
      return { ids, ...(start + limit < size ? { cursor: String(start + limit) } : {}) };
    },
    evaluate: async (ids) => {
      evaluated.push(...ids);
      now += 100;
      return { evaluated: ids.length, updated: 0, entered: ids.length % 2, exited: 0, skipped: 0 };
    },
    purge: async (_s, ids) => ids.length,
    clock: () => now,
  };
  return { ports, progress, evaluated, finished: () => finished };
}

const job: Job = { segmentId: 'warm', version: 2, kind: 'evaluate', startedAt: '2026-12-01T00:00:00.000Z' };

describe('back-fill jobs', () => {
  it('read every ranking partition and the segment’s own members (to let members out), or only members to purge', () => {
    expect(partitionsOf(job)).toHaveLength(6 * 8 + 16);
    expect(partitionsOf({ ...job, kind: 'purge' })).toEqual(Array.from({ length: 16 }, (_, i) => `seg#warm#${i}`));
  });

  it('evaluate every profile exactly once across runs cut short by the budget, then finish', async () => {
    const m = memoryPorts(job, 250);
    let runs = 0;
    while (!m.finished() && runs < 100) {
      await advanceBackfills(m.ports, 2_000);
      runs++;
    }
    expect(runs).toBeGreaterThan(1);
    expect(m.finished()).toBeDefined();
    expect(m.evaluated).toHaveLength(64 * 250);
    expect(new Set(m.evaluated).size).toBe(64 * 250);
    const status = jobStatus(job, [...m.progress.values()]);
    expect(status).toMatchObject({ status: 'done', partitions: 64, partitionsDone: 64, evaluated: 64 * 250 });
  });

  it('wait until every processor has read the new definition', async () => {
    const m = memoryPorts(job, 10, Date.parse(job.startedAt) + 5_000);
    expect(await advanceBackfills(m.ports)).toBe(0);
    expect(m.evaluated).toEqual([]);
  });

  it('count each page once when two runs overlap (the second gives up a partition the first moved)', async () => {
    const m = memoryPorts(job, 150);
    await Promise.all([advanceBackfills(m.ports, 600_000), advanceBackfills(m.ports, 600_000)]);
    expect(m.finished()).toBeDefined();
    // Pages may be evaluated twice (harmless: re-evaluation is idempotent), but progress counts them once.
    expect(new Set(m.evaluated).size).toBe(64 * 150);
    expect(jobStatus(job, [...m.progress.values()]).evaluated).toBe(64 * 150);
  });
});
