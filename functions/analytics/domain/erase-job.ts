/**
 * The erasure job: takes pending erasure requests, finds the person's ids and the lake files holding their
 * rows, and rewrites each file without them. Pure: the store and the lake are ports (DynamoDB and Athena on
 * AWS, DuckDB over files locally).
 *
 * Safe to rerun at any point: a file already rewritten no longer matches, a request keeps the ids it found
 * (identity rows are rewritten last, so a rerun after a failure still finds the merged ids), and a request
 * becomes done only after a run in which every file was rewritten.
 */
import type { LakeResult } from './engine.js';
import {
  erasureIdsSql,
  erasureOrder,
  type FileColumn,
  type FileToRewrite,
  filesSql,
  maxErasedIds,
  rewritePlan,
  TooManyIdsError,
} from './erasure.js';

export type ErasureStatus = 'pending' | 'done';

/** An erasure request as stored and as `GET /v1/admin/analytics/erasures/{id}` shows it. */
export interface ErasureRequest {
  requestId: string;
  profileId: string;
  status: ErasureStatus;
  /** ISO time of the request. */
  requestedAt: string;
  /** Runs that worked on it. */
  attempts: number;
  /** Every id erased (the profile and those merged with it), once a run found them. */
  ids?: string[];
  /** Files rewritten and rows removed, over all runs. */
  files?: number;
  rows?: number;
  completedAt?: string;
  /** Why the last run did not finish it (the next run retries). */
  lastError?: string;
}

export interface ErasureStore {
  create(request: ErasureRequest): Promise<void>;
  get(requestId: string): Promise<ErasureRequest | undefined>;
  /** Pending requests, oldest first, at most `limit`. */
  pending(limit: number): Promise<ErasureRequest[]>;
  save(request: ErasureRequest): Promise<void>;
}

/** The lake as erasure needs it: SQL over the tables `events` and `identity`, and one file's rewrite. */
export interface LakeFiles {
  readonly fileColumn: FileColumn;
  query(sql: string): Promise<LakeResult>;
  /** Replaces `file` with its rows that do not belong to `ids` (deletes it when none stay). */
  rewrite(file: FileToRewrite, ids: readonly string[]): Promise<void>;
}

export interface EraseJobPorts {
  store: ErasureStore;
  lake: LakeFiles;
  now(): Date;
}

export const erasureLimits = {
  /** Requests one run takes on; the rest wait for the next run. */
  maxRequestsPerRun: 25,
  /** Files rewritten at once (each an Athena UNLOAD on AWS, which counts against DML query concurrency). */
  rewriteConcurrency: 4,
} as const;

export interface RunOptions {
  /**
   * Requests younger than this wait for the next run: rows the writer had buffered when the request was made
   * (Firehose holds them up to 1.5 times its buffer interval) must have landed before the files are read.
   */
  settleMs: number;
  /** Epoch ms after which no further file is started (the request stays pending and the next run goes on). */
  deadline: number;
}

export interface RunSummary {
  done: ErasureRequest[];
  /** Requests left pending: too young, out of time, or failed (with lastError). */
  pending: ErasureRequest[];
}

/** A new request for `profileId` (validated by the caller against profileIdPattern). */
export function newErasureRequest(requestId: string, profileId: string, now: Date): ErasureRequest {
  return { requestId, profileId, status: 'pending', requestedAt: now.toISOString(), attempts: 0 };
}

/** The ids of the person `profileId` belongs to, with `known` ids a previous run found. */
export async function personIds(profileId: string, known: readonly string[], lake: LakeFiles): Promise<string[]> {
  const { rows } = await lake.query(erasureIdsSql(profileId));
  const ids = [...new Set([profileId, ...known, ...rows.map((r) => String(r.id))])].sort();
  if (ids.length > maxErasedIds) throw new TooManyIdsError(`profile ${profileId}: ${ids.length} merged ids, more than ${maxErasedIds}`);
  return ids;
}

/** Every file holding rows of `ids`, events first, identity last (erasureOrder). */
export async function filesToRewrite(ids: readonly string[], lake: LakeFiles): Promise<FileToRewrite[]> {
  const plans: FileToRewrite[] = [];
  for (const table of erasureOrder) plans.push(...rewritePlan(table, (await lake.query(filesSql(table, ids, lake.fileColumn))).rows));
  return plans;
}

/** Erases one request's rows as far as the deadline allows; returns the request as it now stands. */
export async function eraseRequest(request: ErasureRequest, ports: EraseJobPorts, deadline: number): Promise<ErasureRequest> {
  const { lake, store, now } = ports;
  const { lastError: _, ...previous } = request;
  let current: ErasureRequest = { ...previous, attempts: request.attempts + 1 };
  const done = { files: 0, rows: 0 };
  let outcome: Partial<ErasureRequest> = {};
  try {
    const ids = await personIds(request.profileId, request.ids ?? [], lake);
    current = { ...current, ids };
    await store.save(current);
    const plan = await filesToRewrite(ids, lake);
    for (const table of erasureOrder) {
      // Tables in order: identity files only once every events file is rewritten.
      const left = await rewriteAll(plan.filter((f) => f.table === table), ids, lake, done, () => now().getTime() < deadline);
      if (left > 0) break;
    }
    if (done.files === plan.length) outcome = { status: 'done', completedAt: now().toISOString() };
  } catch (err) {
    outcome = { lastError: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  current = { ...current, files: (request.files ?? 0) + done.files, rows: (request.rows ?? 0) + done.rows, ...outcome };
  await store.save(current);
  return current;
}

/**
 * Rewrites `queue` with erasureLimits.rewriteConcurrency workers while `inTime()`, counting into `done`;
 * returns how many files were left. A failed rewrite stops the workers from starting more, then throws.
 */
async function rewriteAll(
  queue: FileToRewrite[],
  ids: readonly string[],
  lake: LakeFiles,
  done: { files: number; rows: number },
  inTime: () => boolean,
): Promise<number> {
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && queue.length > 0 && inTime()) {
      const file = queue.shift()!;
      try {
        await lake.rewrite(file, ids);
        done.files += 1;
        done.rows += file.rows;
      } catch (err) {
        failure = { err };
      }
    }
  };
  await Promise.all(Array.from({ length: erasureLimits.rewriteConcurrency }, worker));
  if (failure) throw failure.err;
  return queue.length;
}

/** One run of the job: every pending request old enough, oldest first, until the deadline. */
export async function runErasures(ports: EraseJobPorts, opts: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = { done: [], pending: [] };
  const settledBefore = ports.now().getTime() - opts.settleMs;
  for (const request of await ports.store.pending(erasureLimits.maxRequestsPerRun)) {
    if (Date.parse(request.requestedAt) > settledBefore || ports.now().getTime() >= opts.deadline) {
      summary.pending.push(request);
      continue;
    }
    const after = await eraseRequest(request, ports, opts.deadline);
    (after.status === 'done' ? summary.done : summary.pending).push(after);
  }
  return summary;
}
