import * as z from 'zod/mini';
import { lakeActivityFromEnv } from '../analytics/adapters/lake-activity.js';
import { KinesisSink } from '../ingest/adapters/kinesis-sink.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { sfnClient } from '../shared/aws/sfn.js';
import { parseEnv, required } from '../shared/env.js';
import { eventFunction } from '../shared/event-function.js';
import { publishPoints } from './adapters/points.js';
import { ProfileFacts } from './adapters/profile-facts.js';
import { registerWait } from './adapters/task-tokens.js';
import { parseStepAction, runStep, type StepPorts } from './domain/step-actions.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), EVENTS_STREAM_NAME: required() }));
const doc = documentClient();
const tokens = { doc, sfn: sfnClient(), tableName: env.TABLE_NAME };
const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);
const ports: StepPorts = {
  // Behaviour conditions count page views and older activity in the event lake.
  facts: new ProfileFacts(doc, env.TABLE_NAME, lakeActivityFromEnv()),
  registerWait: (action) => registerWait(tokens, action),
  publishPoints: (action) => publishPoints(sink, action),
  now: () => new Date(),
};

/**
 * scenario-steps: the few things a compiled scenario cannot do with a direct service integration
 * (actions in domain/step-actions.ts). Step Functions invokes it with `{ action, ... }`.
 */
export const handler = eventFunction('scenarioSteps', async (event: unknown) => runStep(parseStepAction(event), ports));
