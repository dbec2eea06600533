import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException as StreamInUse } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { buckets, streams, tables, type TableDef } from '../../functions/shared/resources.js';
import type { Emulators } from '../emulators/start.js';
import { missingIndexes, recreateWithItems } from './table-migration.js';

/** Local physical names: `nurture-<id>` in lower case. */
export function localName(id: string): string {
  return `nurture-${id.toLowerCase()}`;
}

/** Environment that points every handler at the emulators (the SDK's standard endpoint variables). */
export function localAwsEnv(emu: Emulators): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: emu.region,
    AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emu.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: emu.endpoints.kinesis,
    AWS_ENDPOINT_URL_S3: emu.endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: emu.endpoints.ses,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    // CloudWatch metrics (EMF lines) mean nothing locally, and INFO logs would bury npm start's output.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // s3rver stores aws-chunked bodies verbatim unless checksums are only sent when required.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  for (const t of tables) env[t.envVar] = localName(t.id);
  for (const s of streams) env[s.envVar] = localName(s.id);
  for (const b of buckets) env[b.envVar] = localName(b.id);
  return env;
}

function clientConfig(emu: Emulators, endpoint: string) {
  return { endpoint, region: emu.region, credentials: emu.credentials };
}

/** The CreateTable input of a table definition. */
export function tableInput(def: TableDef, name: string) {
  const attrs = new Map<string, AttributeDefinition>();
  const add = (k: { name: string; type: 'S' | 'N' }) => attrs.set(k.name, { AttributeName: k.name, AttributeType: k.type });
  const keySchema = (pk: TableDef['partitionKey'], sk?: TableDef['sortKey']) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  add(def.partitionKey);
  if (def.sortKey) add(def.sortKey);
  for (const ix of def.indexes) {
    add(ix.partitionKey);
    if (ix.sortKey) add(ix.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attrs.values()],
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(def.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: def.indexes.map((ix) => ({
            IndexName: ix.name,
            KeySchema: keySchema(ix.partitionKey, ix.sortKey),
            Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...ix.include] },
          })),
        }
      : {}),
  };
}

/** Creates tables, streams and buckets from the shared definitions; existing ones are kept (a table gains the indexes defined since). */
export async function provision(emu: Emulators, opts: { templatesDir?: string } = {}): Promise<void> {
  const ddb = new DynamoDBClient(clientConfig(emu, emu.endpoints.dynamodb));
  for (const def of tables) {
    const input = tableInput(def, localName(def.id));
    try {
      await ddb.send(new CreateTableCommand(input));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
      // A table of an earlier version: add the indexes defined since, keeping its items.
      const missing = await missingIndexes(ddb, input);
      if (missing.length > 0) {
        const copied = await recreateWithItems(ddb, input);
        console.warn(`local table ${input.TableName}: added index ${missing.join(', ')} (${copied} items kept)`);
      }
    }
  }
  ddb.destroy();

  const kinesis = new KinesisClient({ ...clientConfig(emu, emu.endpoints.kinesis), requestHandler: new NodeHttpHandler() });
  for (const def of streams) {
    const name = localName(def.id);
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: def.shardCount }));
    } catch (err) {
      if (!(err instanceof StreamInUse)) throw err;
    }
    for (let i = 0; i < 100; i++) {
      const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  kinesis.destroy();

  const s3 = new S3Client({ ...clientConfig(emu, emu.endpoints.s3), forcePathStyle: true });
  for (const def of buckets) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: localName(def.id) }));
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }
  if (opts.templatesDir) await seedTemplates(s3, opts.templatesDir);
  s3.destroy();
}

/** Key prefix of email templates in the content bucket. */
export const templatePrefix = 'templates/';

/**
 * The content bucket key of a file under `templates/`: rules (templates/rules/*) under rules/, form
 * definitions (templates/forms/*) under forms/, landing pages and their layouts (templates/pages/**) under
 * pages/, and email templates under templates/.
 */
export function seedKey(rel: string): string {
  return /^(rules|forms|pages)\//.test(rel) ? rel : templatePrefix + rel;
}

/**
 * Uploads `templates/` into the content bucket, skipping objects that already exist so a template the
 * marketer changed locally is not overwritten by the seed on the next start.
 */
async function seedTemplates(s3: S3Client, dir: string): Promise<void> {
  const bucket = localName(buckets[0]!.id);
  for (const file of walk(dir)) {
    const rel = relative(dir, file).split('\\').join('/');
    const key = seedKey(rel);
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      continue;
    } catch (err) {
      if ((err as Error).name !== 'NotFound') throw err;
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
  }
}

function walk(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? out.concat(walk(path)) : out.concat(path);
  }
  return out;
}
