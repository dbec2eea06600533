import * as z from 'zod/mini';
import { documentClient } from '../shared/aws/dynamodb.js';
import { commaList, parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { DynamoServingStore } from './adapters/serving-store.js';
import { servingLimits } from './domain/serving.js';
import { recommendRoutes } from './routes.js';

const env = parseEnv(
  z.object({
    TABLE_NAME: required(),
    WRITE_KEYS: commaList(),
    ALLOWED_ORIGINS: commaList(),
    CONTROL_SHARE: z._default(z.pipe(z.string(), z.pipe(z.transform(Number), z.number().check(z.minimum(0), z.maximum(1)))), servingLimits.defaultControlShare),
  }),
);
const doc = documentClient();

/** GET /v1/recommendations and GET /v1/personalize: public, write-key, read-only. */
export const handler = httpFunction(
  'recommend',
  recommendRoutes,
  {
    reads: new DynamoServingStore(doc, env.TABLE_NAME),
    controlShare: env.CONTROL_SHARE,
    writeKeys: new Set(env.WRITE_KEYS),
  },
  { cors: env.ALLOWED_ORIGINS },
);
