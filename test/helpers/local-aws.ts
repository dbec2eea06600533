import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { lakeStreamEnv } from '../../functions/analytics/adapters/firehose-lake.js';
import { LocalFirehose } from '../../local/emulators/firehose.js';
import { type Emulators, startEmulators } from '../../local/emulators/start.js';
import { lakeDirEnv, localDeliveryStreams } from '../../local/runtime/plugins/analytics.js';
import { localAwsEnv, provision } from '../../local/runtime/provision.js';
import { type IamCheck, type PolicySet, startIamCheck } from '../../local/iam/index.js';
import { localStateMachinePrefix } from '../../local/runtime/plugins/scenarios.js';

/** Invoke handlers through this, as local mode does: `asFunction('process', handler)` runs as process's role. */
export { asFunction } from '../../local/iam/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestAws {
  emulators: Emulators;
  env: Record<string, string>;
  kinesis: KinesisClient;
  doc: DynamoDBDocumentClient;
  /** The IAM check in front of the emulators (handlers' endpoints in `env` point at its proxies). */
  iam: IamCheck;
  /** With `lake: true`: the local Firehose and the lake folder it writes (LAKE_DIR). */
  lake?: { dir: string; firehose: LocalFirehose; flush(): Promise<void> };
  stop(): Promise<void>;
}

export interface TestAwsOptions {
  /** Check calls against this policy set instead of the one synthesized from infra/ (e.g. a grant removed). */
  policies?: PolicySet;
  /**
   * Start the local Firehose writing a lake in a temporary folder, and point the processor (its delivery
   * streams) and lake readers (LAKE_DIR) at it, as local mode does. Its buffer never flushes on its own:
   * call `lake.flush()` before reading.
   */
  lake?: boolean;
}

/**
 * In-memory emulators on ephemeral ports with Nurture's resources created, and process.env pointed at
 * them (each test file runs in its own process) through the IAM check: a handler invoked with
 * `asFunction(name, handler)` may only make the calls its role's synthesized policy allows. Never touches
 * a running `npm start`.
 */
export async function startTestAws(extraEnv: Record<string, string> = {}, opts: TestAwsOptions = {}): Promise<TestAws> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'nurture-test-s3-'));
  const emulators = await startEmulators({ ports: { dynamodb: 0, kinesis: 0, s3: 0, ses: 0 }, s3Dir });
  await provision(emulators);
  let lake: TestAws['lake'];
  const lakeEnv: Record<string, string> = {};
  if (opts.lake) {
    const dir = mkdtempSync(join(tmpdir(), 'nurture-test-lake-'));
    const firehose = new LocalFirehose({ lakeDir: dir, streams: { [localDeliveryStreams.events]: 'events', [localDeliveryStreams.identity]: 'identity' }, bufferSeconds: 3600 });
    Object.assign(lakeEnv, {
      AWS_ENDPOINT_URL_FIREHOSE: await firehose.listen(0),
      [lakeStreamEnv.events]: localDeliveryStreams.events,
      [lakeStreamEnv.identity]: localDeliveryStreams.identity,
      [lakeDirEnv]: dir,
    });
    lake = { dir, firehose, flush: () => firehose.flush() };
  }
  const env = { ...localAwsEnv(emulators), ...lakeEnv, ...extraEnv };
  const iam = await startIamCheck({ repoRoot, env, stateMachinePrefix: localStateMachinePrefix, ...(opts.policies ? { policies: opts.policies } : {}) });
  Object.assign(process.env, env);
  const cfg = { region: emulators.region, credentials: emulators.credentials };
  const kinesis = new KinesisClient({ ...cfg, endpoint: emulators.endpoints.kinesis, requestHandler: new NodeHttpHandler() });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...cfg, endpoint: emulators.endpoints.dynamodb }));
  return {
    emulators,
    env,
    kinesis,
    doc,
    iam,
    ...(lake ? { lake } : {}),
    async stop() {
      kinesis.destroy();
      doc.destroy();
      await iam.stop();
      await emulators.stop();
      rmSync(s3Dir, { recursive: true, force: true });
      if (lake) {
        await lake.firehose.close();
        rmSync(lake.dir, { recursive: true, force: true });
      }
    },
  };
}

export interface StreamRecord {
  partitionKey: string;
  shardId: string;
  data: Record<string, unknown>;
}

/** Every record on the stream, shard by shard in stream order. */
export async function readStream(kinesis: KinesisClient, streamName: string): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of shards.Shards ?? []) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (iterator) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const r of res.Records ?? []) {
        out.push({
          partitionKey: r.PartitionKey!,
          shardId: shard.ShardId!,
          data: JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Record<string, unknown>,
        });
      }
      if (!res.Records?.length || res.MillisBehindLatest === 0) break;
      iterator = res.NextShardIterator;
    }
  }
  return out;
}
