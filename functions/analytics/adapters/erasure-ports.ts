/**
 * The erasure functions' wiring from their environment: the request store, and the lake either as files on
 * this machine's disk (`LAKE_DIR`: local mode and tests, through DuckDB) or on AWS (Athena workgroup, Glue
 * database and lake bucket).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { s3Client } from '../../shared/aws/s3.js';
import { EnvError, parseEnv, required } from '../../shared/env.js';
import { type EraseJobPorts, eraseRequest, type ErasureRequest, type LakeFiles, type RunSummary, runErasures } from '../domain/erase-job.js';
import { erasureTmpPrefix } from '../domain/erasure.js';
import { AthenaLakeFiles } from './athena-lake-files.js';
import { DuckDbLakeFiles } from './duckdb-lake-files.js';
import { DynamoErasureStore } from './erasure-store.js';

/**
 * Time one run of the job spends starting rewrites: the lakeErase function's timeout (15 min, Lambda's
 * longest) less room for the rewrites in flight and saving the requests.
 */
export const runBudgetMs = 12 * 60 * 1000;

const erasureEnv = z.object({
  TABLE_NAME: required(),
  LAKE_DIR: z.optional(z.string()),
  ATHENA_WORKGROUP: z.optional(z.string()),
  LAKE_DATABASE: z.optional(z.string()),
  LAKE_BUCKET: z.optional(z.string()),
  /** Seconds a request waits for rows the writer still buffers (infra/analytics.ts lakeSettleSeconds). */
  LAKE_SETTLE_SECONDS: z.optional(z.string().check(z.regex(/^\d+$/, 'whole seconds'))),
});

export type ErasureEnv = z.infer<typeof erasureEnv>;

/**
 * The erasure environment. With `lake` (the job), a lake must be named: LAKE_DIR, or else the three AWS
 * variables.
 */
export function erasureEnvFrom(opts: { lake: boolean }, env: NodeJS.ProcessEnv = process.env): ErasureEnv {
  const parsed = parseEnv(erasureEnv, env);
  if (opts.lake && !parsed.LAKE_DIR) {
    const missing = (['ATHENA_WORKGROUP', 'LAKE_DATABASE', 'LAKE_BUCKET'] as const).filter((k) => !parsed[k]);
    if (missing.length > 0) throw new EnvError(`Invalid environment: ${missing.map((k) => `${k}: required without LAKE_DIR`).join('; ')}`);
  }
  return parsed;
}

/** The lake as erasure reads and rewrites it, opened on first use. */
export function lakeFilesOf(env: ErasureEnv): () => Promise<LakeFiles> {
  let opened: Promise<LakeFiles> | undefined;
  return () => {
    if (env.LAKE_DIR) opened ??= DuckDbLakeFiles.open(env.LAKE_DIR);
    else {
      opened ??= Promise.resolve(
        new AthenaLakeFiles(new AthenaClient({}), s3Client(), {
          workgroup: env.ATHENA_WORKGROUP!,
          database: env.LAKE_DATABASE!,
          bucket: env.LAKE_BUCKET!,
          tmpPrefix: erasureTmpPrefix,
        }),
      );
    }
    return opened;
  };
}

/** The erasure job with this environment's store and lake: a run over every pending request, or one request now. */
export function erasureRunner(env: ErasureEnv): {
  store: DynamoErasureStore;
  run: () => Promise<RunSummary>;
  eraseNow: (request: ErasureRequest) => Promise<ErasureRequest>;
} {
  const store = new DynamoErasureStore(documentClient(), env.TABLE_NAME);
  const lake = lakeFilesOf(env);
  const settleMs = Number(env.LAKE_SETTLE_SECONDS ?? 0) * 1000;
  const ports = async (): Promise<EraseJobPorts> => ({ store, lake: await lake(), now: () => new Date() });
  return {
    store,
    run: async () => runErasures(await ports(), { settleMs, deadline: Date.now() + runBudgetMs }),
    eraseNow: async (request) => eraseRequest(request, await ports(), Date.now() + runBudgetMs),
  };
}
