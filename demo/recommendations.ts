/**
 * The demo shop's recommendations after a run: the model build over the local lake into local mode's
 * table, now rather than at the next timer (local mode builds 15 s after start and every 10 min). The same
 * use case and adapters as `npm run nurture -- recommendations build` and the daily function.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DuckDbEngine } from '../functions/analytics/adapters/duckdb-engine.js';
import { buildPorts } from '../functions/recommendations/adapters/build-ports.js';
import { type BuildReport, runBuild } from '../functions/recommendations/domain/run-build.js';

export interface DemoBuildTarget {
  /** The lake folder of the npm start (its data dir's `lake`). */
  lakeDir: string;
  /** Its DynamoDB, e.g. http://127.0.0.1:4570. */
  dynamodbEndpoint: string;
  /** Its main table (the CLI's default: nurture-main). */
  tableName: string;
}

/** Builds the models from the whole default window (90 days) of the lake. */
export async function buildDemoModels(target: DemoBuildTarget): Promise<BuildReport> {
  const engine = await DuckDbEngine.open(target.lakeDir);
  const client = new DynamoDBClient({ endpoint: target.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    return await runBuild(buildPorts(async () => engine, doc, target.tableName), { now: new Date() });
  } finally {
    engine.close();
    doc.destroy();
  }
}
