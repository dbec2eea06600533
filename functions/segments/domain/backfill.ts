/**
 * Back-fills: when a segment is created or its conditions change, existing people are evaluated in the
 * background; when one is deleted, its member items and counters are removed. A job is a list of
 * partitions, each read page by page from a cursor kept in the job (never a table scan):
 * - evaluate: every ranking index partition (every known lead, and every anonymous visitor with at least
 *   `anonymousRankMinPoints`), plus the segment's own member partitions (so a changed definition lets
 *   members out). Visitors below the ranking threshold join when their profile next changes.
 * - purge: the deleted segment's member partitions.
 * The segments sweep advances open jobs within a time budget per run (due-sweep.ts schedule), so a job
 * survives any crash: a page re-run re-evaluates idempotently, and progress moves only from the cursor it
 * started at (exactly once). Pure (ports).
 */
import { rankPartitionOf, rankShards, stages } from '../../profiles/domain/profile.js';
import { memberPk, memberShards } from './membership.js';
import type { ReevaluateResult } from './reevaluate.js';
import { definitionsCacheMs } from './step.js';

export type JobKind = 'evaluate' | 'purge';

/** Profiles read per page of a partition. */
export const backfillPageSize = 100;
/** Partitions a sweep run advances at once. */
export const backfillConcurrency = 4;
/** Work a sweep run spends on back-fills (ms): within the sweep's 60 s timeout, with room for due people. */
export const backfillBudgetMs = 40_000;

/** One partition of a job: where it is, and what it did. */
export interface PartitionProgress {
  partition: string;
  cursor?: string;
  done: boolean;
  /** Pages stored so far: a page's progress is stored only over the count it started from. */
  pages: number;
  evaluated: number;
  entered: number;
  exited: number;
}

export interface Job {
  segmentId: string;
  version: number;
  kind: JobKind;
  startedAt: string;
}

/** The partitions a job reads. */
export function partitionsOf(job: Pick<Job, 'segmentId' | 'kind'>): string[] {
  const members = Array.from({ length: memberShards }, (_, s) => memberPk(job.segmentId, s));
  if (job.kind === 'purge') return members;
  const ranked = stages.flatMap((stage) => Array.from({ length: rankShards }, (_, s) => rankPartitionOf(stage, s)));
  return [...ranked, ...members];
}

export interface JobStatus {
  segmentId: string;
  version: number;
  kind: JobKind;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt?: string;
  partitions: number;
  partitionsDone: number;
  evaluated: number;
  entered: number;
  exited: number;
}

/** A job's status from its partitions' progress. */
export function jobStatus(job: Job, parts: readonly PartitionProgress[], finishedAt?: string): JobStatus {
  const sum = (k: 'evaluated' | 'entered' | 'exited') => parts.reduce((n, p) => n + p[k], 0);
  const partitionsDone = parts.filter((p) => p.done).length;
  return {
    ...job,
    status: partitionsDone === parts.length ? 'done' : 'running',
    ...(finishedAt ? { finishedAt } : {}),
    partitions: parts.length,
    partitionsDone,
    evaluated: sum('evaluated'),
    entered: sum('entered'),
    exited: sum('exited'),
  };
}

export interface BackfillPorts {
  jobs: {
    open(): Promise<Job[]>;
    progress(job: Job): Promise<PartitionProgress[]>;
    /** Stores a page's progress if the partition is still at `from`; false when another run moved it. */
    advance(job: Job, from: PartitionProgress, to: PartitionProgress): Promise<boolean>;
    finish(job: Job, at: string): Promise<void>;
  };
  /** A page of profile ids of a partition (ranking index or member partition). */
  page(partition: string, cursor: string | undefined, limit: number): Promise<{ ids: string[]; cursor?: string }>;
  /** Re-evaluates the profiles' segments (reevaluate.ts with the current definitions). */
  evaluate(ids: string[]): Promise<ReevaluateResult>;
  /** Removes a deleted segment's member items of these profiles, with their counters. */
  purge(segmentId: string, ids: string[]): Promise<number>;
  clock(): number;
}

/** Advances open jobs until they are done or the budget is spent; answers the pages processed. */
export async function advanceBackfills(ports: BackfillPorts, budgetMs = backfillBudgetMs): Promise<number> {
  const until = ports.clock() + budgetMs;
  let pages = 0;
  for (const job of await ports.jobs.open()) {
    // Until every processor has read the change, a back-fill could be undone by an older definition.
    if (Date.parse(job.startedAt) > ports.clock() - definitionsCacheMs) continue;
    const parts = await ports.jobs.progress(job);
    const queue = parts.filter((p) => !p.done);
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        let at = p;
        while (!at.done && ports.clock() < until) {
          const page = await ports.page(at.partition, at.cursor, backfillPageSize);
          const r = job.kind === 'purge' ? { evaluated: await ports.purge(job.segmentId, page.ids), entered: 0, exited: 0 } : await ports.evaluate(page.ids);
          const next: PartitionProgress = {
            partition: at.partition,
            pages: at.pages + 1,
            ...(page.cursor ? { cursor: page.cursor } : {}),
            done: !page.cursor,
            evaluated: at.evaluated + r.evaluated,
            entered: at.entered + r.entered,
            exited: at.exited + r.exited,
          };
          pages++;
          if (!(await ports.jobs.advance(job, at, next))) break; // another run has this partition
          at = next;
        }
      }
    };
    await Promise.all(Array.from({ length: backfillConcurrency }, worker));
    const after = await ports.jobs.progress(job);
    if (after.every((p) => p.done)) await ports.jobs.finish(job, new Date(ports.clock()).toISOString());
    if (ports.clock() >= until) break;
  }
  return pages;
}
