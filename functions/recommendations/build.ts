import * as z from 'zod/mini';
import { lazyLakeEngine } from '../analytics/adapters/lake-engine.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { buildPorts } from './adapters/build-ports.js';
import { runBuild } from './domain/run-build.js';

const env = parseEnv(z.object({ TABLE_NAME: required() }));
const ports = buildPorts(lazyLakeEngine(), documentClient(), env.TABLE_NAME);

/**
 * Builds the recommendation models from the lake (daily schedule on AWS, a timer in local mode, or
 * `npm run nurture -- recommendations build`): the catalog learnt from events, bought-together and
 * viewed-together per product, popular per category. `{ days }` overrides the 90-day window.
 */
export const handler = eventFunction('recommendationsBuild', async (event: { days?: unknown } | undefined, { logger }) => {
  const days = typeof event?.days === 'number' ? event.days : undefined;
  const report = await runBuild(ports, { now: new Date(), ...(days !== undefined ? { days } : {}) });
  logger.info('recommendations built', { ...report });
  return report;
});
