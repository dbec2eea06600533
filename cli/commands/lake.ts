/** `nurture lake erase <profileId>`: erase a person's rows from the event lake (README "Erasing a person"). */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { DuckDbLakeFiles } from '../../functions/analytics/adapters/duckdb-lake-files.js';
import { DynamoErasureStore } from '../../functions/analytics/adapters/erasure-store.js';
import { eraseRequest, type ErasureRequest, newErasureRequest } from '../../functions/analytics/domain/erase-job.js';
import { profileIdPattern } from '../../functions/analytics/domain/erasure.js';
import { repoRoot } from '../../local/runtime/context.js';
import { portsFromEnv } from '../../local/runtime/ports.js';
import type { RegisterCommands } from './register.js';

type Options = Record<string, string | boolean | undefined>;

/** The lake of `npm start`: `<data folder>/lake` (NURTURE_DATA_DIR, default .nurture/data). */
const defaultLakeDir = () => join(process.env.NURTURE_DATA_DIR ?? join(repoRoot, '.nurture', 'data'), 'lake');

function summary(r: ErasureRequest): string {
  const lines = [`erasure ${r.requestId} of ${r.profileId}: ${r.status}`];
  if (r.ids) lines.push(`  ids: ${r.ids.join(', ')}`);
  if (r.files !== undefined) lines.push(`  ${r.files} file${r.files === 1 ? '' : 's'} rewritten, ${r.rows ?? 0} row${r.rows === 1 ? '' : 's'} removed`);
  if (r.lastError) lines.push(`  not finished: ${r.lastError}`);
  return lines.join('\n');
}

/** Adds `lake erase`. */
export const registerLake: RegisterCommands = (program: Command) => {
  const lake = program.command('lake').description('The event lake (Parquet files of events and identity changes)');
  lake
    .command('erase')
    .description("Erase a person's lake rows: the profile's and those of every profile merged with it")
    .argument('<profileId>', 'the profile to erase (any of the person\'s profile ids)')
    .option('--aws', 'record the request in the deployed table with your AWS credentials; the daily erasure job carries it out')
    .option('--table <name>', "table name (on AWS: the physical name of the stack's table)", 'nurture-main')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)')
    .option('--lake-dir <dir>', 'local lake folder (default: <NURTURE_DATA_DIR>/lake of npm start)')
    .action(async (profileId: string, opts: Options) => {
      if (!profileIdPattern.test(profileId)) throw new Error(`profileId: not a profile id (1-128 characters of A-Z a-z 0-9 _ . : -)`);
      const local = !opts.aws;
      const endpoint = String(opts.dynamodbEndpoint ?? `http://127.0.0.1:${portsFromEnv().dynamodb}`);
      const client = new DynamoDBClient(
        local ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {},
      );
      const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
      const store = new DynamoErasureStore(doc, String(opts.table));
      const request = newErasureRequest(randomUUID(), profileId, new Date());
      try {
        await store.create(request);
        if (!local) {
          console.log(`${summary(request)}\n  the daily erasure job (04:00 UTC) carries it out; follow it with GET /v1/admin/analytics/erasures/${request.requestId}`);
          return;
        }
        const files = await DuckDbLakeFiles.open(String(opts.lakeDir ?? defaultLakeDir()));
        try {
          console.log(summary(await eraseRequest(request, { store, lake: files, now: () => new Date() }, Number.POSITIVE_INFINITY)));
        } finally {
          files.close();
        }
      } finally {
        doc.destroy();
      }
    });
};
