/** The analytics admin function's ports, wired once at module load from the environment. */
import { randomUUID } from 'node:crypto';
import { DynamoCostStore } from '../../channels/adapters/cost-store.js';
import { DynamoRegistryStore } from '../../channels/adapters/registry-store.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { reports } from '../reports/index.js';
import type { AnalyticsFunctionPorts } from '../routes.js';
import { erasureEnvFrom, erasureRunner } from './erasure-ports.js';
import { DynamoErasureStore } from './erasure-store.js';
import { lakeEngineFromEnv } from './lake-engine.js';
import { reportTemplate, sqlFragments } from './report-sql.js';

export async function analyticsAdminPortsFromEnv(): Promise<AnalyticsFunctionPorts> {
  const env = erasureEnvFrom({ lake: false });
  const doc = documentClient();
  // Where the lake is files on this machine's disk (LAKE_DIR: local mode), an erasure request is carried
  // out at once; on AWS the daily job (lakeErase) does.
  const runner = env.LAKE_DIR ? erasureRunner(env) : undefined;
  return {
    engine: await lakeEngineFromEnv(),
    reports,
    template: reportTemplate,
    fragments: sqlFragments,
    now: () => new Date(),
    // The media registry and ad costs of channels (main table, read only).
    registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
    costs: new DynamoCostStore(doc, env.TABLE_NAME),
    // Erasure requests (main table, items keyed erasure#<id> only: infra/analytics.ts).
    store: runner?.store ?? new DynamoErasureStore(doc, env.TABLE_NAME),
    newId: () => randomUUID(),
    ...(runner ? { runNow: runner.eraseNow } : {}),
  };
}
