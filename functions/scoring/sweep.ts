import middy from '@middy/core';
import * as z from 'zod/mini';
import { ProfileReader } from '../profiles/adapters/profile-reader.js';
import { ProfileStore } from '../profiles/adapters/profile-store.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { eventBridgeClient } from '../shared/aws/eventbridge.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { MetricUnit, observability } from '../shared/observability.js';
import { DomainEventPublisher } from './adapters/publisher.js';
import { defaultRulesFromEnv, RulesSource } from './adapters/rules-source.js';
import { type DormancyPorts, sweepDormant } from './domain/dormancy.js';
import { sweepLifecycle } from './domain/lifecycle-sweep.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required(), EVENT_BUS_NAME: required() }));
const { logger, metrics, middlewares } = observability('sweep');
const doc = documentClient();
const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
const publisher = new DomainEventPublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
const [reader, store] = [new ProfileReader(doc, env.TABLE_NAME), new ProfileStore(doc, env.TABLE_NAME)];
const ports: DormancyPorts = { rules: () => rules.current(), leads: reader, store, publish: (events) => publisher.publish(events) };

/** Daily: known leads inactive for `stages.dormantAfterDays` become dormant; customers due change lifecycle state. */
async function sweep(input: { now?: string } = {}): Promise<{ dormant: number; scanned: number; lifecycleChanged: number }> {
  const now = input.now ?? new Date().toISOString();
  const { dormant, scanned, cutoff } = await sweepDormant(now, ports);
  const lifecycle = await sweepLifecycle(now, { ...ports, due: reader, profiles: store });
  metrics.addMetric('LeadsMadeDormant', MetricUnit.Count, dormant);
  metrics.addMetric('LifecycleChanged', MetricUnit.Count, lifecycle.changed);
  logger.info('dormancy and lifecycle sweep', { dormant, scanned, cutoff, lifecycle });
  return { dormant, scanned, lifecycleChanged: lifecycle.changed };
}

export const handler = middy(sweep).use(middlewares);
