import * as z from 'zod/mini';
import { DynamoLinkStore } from '../identity/adapters/dynamo-link-store.js';
import { identify } from '../identity/domain/identify.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { commaList, parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { observability } from '../shared/observability.js';
import { KinesisSink } from './adapters/kinesis-sink.js';
import { collectRoutes } from './routes.js';

const env = parseEnv(
  z.object({ TABLE_NAME: required(), EVENTS_STREAM_NAME: required(), WRITE_KEYS: commaList(), ALLOWED_ORIGINS: commaList() }),
);

/** Traffic counters are published at most this often per warm environment (failures at once). */
export const metricsFlushMs = 60_000;
const observed = observability('collect', { flushEveryMs: metricsFlushMs });
const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);
const links = new DynamoLinkStore(documentClient(), env.TABLE_NAME);

/** Segment HTTP Tracking API (POST /v1/{batch,track,page,screen,identify,alias,group}) and the GIF pixel. */
export const handler = httpFunction(
  'collect',
  collectRoutes,
  {
    ingest: { putEvents: (events) => sink.put(events), identify: (call) => identify(call, links), writeKeys: new Set(env.WRITE_KEYS) },
    observed,
    now: () => new Date(),
  },
  { cors: env.ALLOWED_ORIGINS, observed },
);
