import middy from '@middy/core';
import * as z from 'zod/mini';
import { parseEnv, required } from '../shared/env.js';
import { MetricUnit, observability } from '../shared/observability.js';
import { sweepPorts } from './adapters/sweep-ports.js';
import { advanceBackfills } from './domain/backfill.js';
import { sweepSegmentsDue } from './domain/due-sweep.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required(), EVENT_BUS_NAME: required() }));
const { logger, metrics, middlewares } = observability('segmentsSweep');
const ports = sweepPorts(env);

/**
 * Every minute: people whose segment membership changes by time alone are re-evaluated at their boundary,
 * then open back-fills (new, changed and deleted segments) advance within their time budget.
 */
async function sweep(input: { now?: string } = {}) {
  const due = await sweepSegmentsDue(input.now ? new Date(input.now) : new Date(), ports.due);
  const pages = await advanceBackfills(ports.backfill);
  metrics.addMetric('SegmentsEntered', MetricUnit.Count, due.entered);
  metrics.addMetric('SegmentsExited', MetricUnit.Count, due.exited);
  metrics.addMetric('BackfillPages', MetricUnit.Count, pages);
  if (due.evaluated > 0 || pages > 0) logger.info('segments sweep', { ...due, backfillPages: pages });
  return { ...due, backfillPages: pages };
}

export const handler = middy(sweep).use(middlewares);
