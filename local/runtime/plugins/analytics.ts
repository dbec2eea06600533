/**
 * The event lake in local mode: the local Firehose stand-in (local/emulators/firehose.ts) behind the IAM
 * check, one delivery stream per lake table, writing Parquet under `<data folder>/lake/` in the layout the
 * S3 lake has on AWS. Runs before the scoring plugin: the stream processor reads its environment at import.
 */
import { join } from 'node:path';
import { lakeStreamEnv } from '../../../functions/analytics/adapters/firehose-lake.js';
import type { LakeTable } from '../../../functions/analytics/domain/lake.js';
import { LocalFirehose } from '../../emulators/firehose.js';
import type { LocalContext } from '../context.js';

/** Local delivery stream of each lake table (on AWS the stack's Firehose streams, infra/analytics.ts). */
export const localDeliveryStreams: Readonly<Record<LakeTable, string>> = { events: 'nurture-lake-events', identity: 'nurture-lake-identity' };

/** Folder of the lake under the data folder; handlers that read it get it as LAKE_DIR. */
export const lakeDirEnv = 'LAKE_DIR';

/**
 * Environment of the lake, applied before the IAM check starts (it names the delivery streams in the
 * synthesized policies by these variables) and before any handler loads.
 */
export function analyticsEnv(dataDir: string): Record<string, string> {
  return {
    [lakeStreamEnv.events]: localDeliveryStreams.events,
    [lakeStreamEnv.identity]: localDeliveryStreams.identity,
    [lakeDirEnv]: join(dataDir, 'lake'),
  };
}

export async function analyticsPlugin(ctx: LocalContext): Promise<void> {
  const lakeDir = ctx.env[lakeDirEnv] ?? join(ctx.dataDir, 'lake');
  const streams = Object.fromEntries(Object.entries(localDeliveryStreams).map(([table, stream]) => [stream, table as LakeTable]));
  const firehose = new LocalFirehose({ lakeDir, streams, log: (line) => console.warn(line) });
  const url = await firehose.listen(ctx.ports.firehose);
  // Stops run in reverse order and the poller's is registered after the plugins: the poller stops first,
  // then closing writes what its last batches put.
  ctx.onStop(() => firehose.close());
  // Handlers reach it through the checking proxy, as their role allows (firehose:PutRecordBatch).
  const endpoint = await ctx.iam.endpoint('firehose', url);
  ctx.env.AWS_ENDPOINT_URL_FIREHOSE = endpoint;
  process.env.AWS_ENDPOINT_URL_FIREHOSE = endpoint;
  ctx.extraEndpoints.Firehose = url;
  ctx.extraEndpoints['Event lake'] = lakeDir;
}
