/**
 * The lake engine a function runs reports on, from its environment: DuckDB over the lake folder when
 * LAKE_DIR is set (local mode), Athena in ATHENA_WORKGROUP over the Glue database LAKE_DATABASE otherwise.
 * DuckDB is imported only when chosen: a Lambda bundle leaves @duckdb/node-api out (a native package).
 */
import * as z from 'zod/mini';
import { EnvError, parseEnv } from '../../shared/env.js';
import type { LakeEngine } from '../domain/engine.js';

const lakeEnv = z.object({
  LAKE_DIR: z.optional(z.string().check(z.minLength(1))),
  ATHENA_WORKGROUP: z.optional(z.string().check(z.minLength(1))),
  LAKE_DATABASE: z.optional(z.string().check(z.minLength(1))),
});

export async function lakeEngineFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<LakeEngine> {
  const { LAKE_DIR, ATHENA_WORKGROUP, LAKE_DATABASE } = parseEnv(lakeEnv, env);
  if (LAKE_DIR) {
    const { DuckDbEngine } = await import('./duckdb-engine.js');
    return DuckDbEngine.open(LAKE_DIR);
  }
  if (!ATHENA_WORKGROUP || !LAKE_DATABASE) {
    throw new EnvError('Invalid environment: LAKE_DIR (local mode), or ATHENA_WORKGROUP and LAKE_DATABASE (AWS), must be set');
  }
  const [{ AthenaEngine }, { athenaClient }] = await Promise.all([import('./athena-engine.js'), import('../../shared/aws/athena.js')]);
  return new AthenaEngine(athenaClient(), { workgroup: ATHENA_WORKGROUP, database: LAKE_DATABASE });
}

/** Whether the environment names a lake (local folder or Athena). */
export function hasLake(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.LAKE_DIR || (env.ATHENA_WORKGROUP && env.LAKE_DATABASE));
}

/** The engine from the environment, opened on first use and then shared (a cold start does not pay for it). */
export function lazyLakeEngine(env: NodeJS.ProcessEnv = process.env): () => Promise<LakeEngine> {
  let engine: Promise<LakeEngine> | undefined;
  return () => {
    engine ??= lakeEngineFromEnv(env).catch((err: unknown) => {
      engine = undefined;
      throw err;
    });
    return engine;
  };
}
