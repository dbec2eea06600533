import { readFileSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { DynamoLinkStore } from '../../functions/identity/adapters/dynamo-link-store.js';
import { identify } from '../../functions/identity/domain/identify.js';
import type { CollectedEvent } from '../../functions/ingest/domain/enrich.js';
import { ingest, type IngestRequest } from '../../functions/ingest/domain/ingest.js';
import { kinesisBatch } from './kinesis-event.js';
import type { TestAws } from './local-aws.js';

export const publicWriteKey = 'public_site_key';
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** Uploads the repository's default scoring rules (or `yaml`) as the rules in force. */
export async function putRules(aws: TestAws, yaml = readFileSync('templates/rules/scoring.yaml', 'utf8')): Promise<void> {
  const s3 = new S3Client({ endpoint: aws.emulators.endpoints.s3, region: 'us-east-1', credentials: aws.emulators.credentials, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'rules/scoring.yaml', Body: yaml }));
  s3.destroy();
}

/**
 * What a site (or anyone holding its public write key) does: POST a Segment message, which collect's use
 * case validates, resolves (identity links in DynamoDB) and puts on the stream; the stream processor then
 * takes it as its next batch.
 */
export async function publicPath(aws: TestAws) {
  const { handler } = (await import('../../functions/scoring/process.js')) as unknown as {
    handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
  };
  const links = new DynamoLinkStore(aws.doc, aws.env.TABLE_NAME!);
  let seq = 1;
  return async function send(kind: IngestRequest['kind'], message: Record<string, unknown>): Promise<CollectedEvent[]> {
    const events: CollectedEvent[] = [];
    const body = JSON.stringify(message);
    await ingest(
      { kind, body, bodyBytes: Buffer.byteLength(body), authorization: `Basic ${Buffer.from(`${publicWriteKey}:`).toString('base64')}`, receivedAt: new Date() },
      { putEvents: async (batch) => void events.push(...batch), identify: (call) => identify(call, links), writeKeys: new Set([publicWriteKey]) },
    );
    const res = await handler(kinesisBatch(events, { firstSeq: seq }), ctx);
    seq += events.length;
    if (res.batchItemFailures.length > 0) throw new Error(`processor failed ${JSON.stringify(res.batchItemFailures)}`);
    return events;
  };
}
