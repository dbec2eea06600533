import { erasureEnvFrom, erasureRunner } from './adapters/erasure-ports.js';
import { eventFunction } from '../shared/event-function.js';

const { run } = erasureRunner(erasureEnvFrom({ lake: true }));

/**
 * The lake erasure job (daily on AWS): carries out pending erasure requests, oldest first, within one run's
 * time budget; what is left stays pending for the next run (domain/erase-job.ts).
 */
export const handler = eventFunction('lakeErase', async (_event: unknown, { logger }) => {
  const { done, pending } = await run();
  logger.info('lake erasure run', {
    done: done.map((r) => ({ requestId: r.requestId, files: r.files, rows: r.rows })),
    pending: pending.map((r) => ({ requestId: r.requestId, ...(r.lastError ? { lastError: r.lastError } : {}) })),
  });
  return { done: done.length, pending: pending.length };
});
