import type { LocalContext } from './context.js';

/**
 * Runs `task` every `ms` until local mode stops, never two at once (a slow run makes the next tick skip),
 * logging a failure under `label` instead of stopping: what a scheduled or S3-triggered function gets from
 * AWS, for the watchers and sweeps of local mode. Stopping waits for a run in progress.
 */
export function repeatEvery(ctx: Pick<LocalContext, 'onStop'>, ms: number, label: string, task: () => Promise<unknown>): void {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((err) => console.error(`[${label}] failed:`, err))
      .finally(() => {
        running = undefined;
      });
  }, ms);
  ctx.onStop(async () => {
    clearInterval(timer);
    await running;
  });
}
