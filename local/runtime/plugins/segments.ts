/**
 * Segments in local mode: the segments sweep (due people, then back-fills) on a short timer, as the
 * one-minute schedule runs it on AWS, through the IAM check of its role.
 */
import { join } from 'node:path';
import { lambdaContext } from '../../emulators/api-gateway.js';
import type { LocalContext } from '../context.js';
import { asFunction } from '../../iam/index.js';

/** How often local mode runs the segments sweep (every minute on AWS): time boundaries act within this. */
export const segmentsSweepEveryMs = 2_000;

type Handler = (event: object, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export async function segmentsPlugin(ctx: LocalContext): Promise<void> {
  const sweep = asFunction('segmentsSweep', ((await import(join(ctx.repoRoot, 'functions/segments/sweep.ts'))) as { handler: Handler }).handler);
  let running: Promise<unknown> | undefined;
  // One run at a time: a long back-fill run is not stacked with the next tick's.
  const tick = () => {
    running ??= sweep({}, lambdaContext('segmentsSweep'))
      .catch((err: unknown) => console.error('[segments sweep]', err))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, segmentsSweepEveryMs);
  timer.unref();
  ctx.onStop(async () => {
    clearInterval(timer);
    await running;
  });
}
