import { randomUUID } from 'node:crypto';
import { documentClient } from '../shared/aws/dynamodb.js';
import { httpFunction } from '../shared/http-function.js';
import { erasureEnvFrom, erasureRunner } from './adapters/erasure-ports.js';
import { DynamoErasureStore } from './adapters/erasure-store.js';
import { erasureRoutes } from './erasure-routes.js';

const env = erasureEnvFrom({ lake: false });
// Where the lake is files on this machine's disk (LAKE_DIR: local mode), a request is carried out at once.
const runner = env.LAKE_DIR ? erasureRunner(env) : undefined;

/** Erasure requests (admin routes: IAM on AWS, the admin token locally); on AWS the daily job carries them out. */
export const handler = httpFunction('lakeErasures', erasureRoutes, {
  store: runner?.store ?? new DynamoErasureStore(documentClient(), env.TABLE_NAME),
  newId: () => randomUUID(),
  now: () => new Date(),
  ...(runner ? { runNow: runner.eraseNow } : {}),
});
