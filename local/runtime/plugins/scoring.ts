import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { join } from 'node:path';
import { lambdaContext } from '../../emulators/api-gateway.js';
import { botNotice } from '../bot-notice.js';
import type { LocalContext } from '../context.js';
import type { StreamConsumer } from '../../emulators/kinesis-poller.js';
import { asFunction } from '../../iam/index.js';

/** How often local mode looks for a new rules upload (S3 events do not exist in the local S3). */
export const rulesPollMs = 2_000;
/** How often local mode runs the dormancy sweep (daily on AWS). */
export const sweepEveryMs = 60 * 60 * 1000;

type Handler<E, R> = (event: E, context: ReturnType<typeof lambdaContext>) => Promise<R>;

/** S3 ObjectCreated event for one key, as S3 notifications deliver it. */
export function s3Event(bucket: string, key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'rules-check',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key), size: 0, eTag: '', sequencer: '0' },
        },
      },
    ],
  };
}

/**
 * Scoring in local mode: the stream processor on the poller (as the event source mapping does on AWS),
 * the rules upload check (as the S3 notification does), and the dormancy sweep (as the daily schedule).
 */
export async function scoringPlugin(ctx: LocalContext): Promise<void> {
  const root = ctx.repoRoot;
  const process = asFunction('process', ((await import(join(root, 'functions/scoring/process.ts'))) as { handler: StreamConsumer }).handler);
  const check = asFunction('rulesCheck', ((await import(join(root, 'functions/scoring/rules-check.ts'))) as { handler: Handler<S3Event, unknown> }).handler);
  const sweep = asFunction('sweep', ((await import(join(root, 'functions/scoring/sweep.ts'))) as { handler: Handler<object, unknown> }).handler);
  const { rulesKey } = await import('../../../functions/scoring/adapters/rules-source.js');

  // Bots are counted and skipped by the processor; local mode also says so on the console (bot-notice.ts).
  const noticeBots = botNotice();
  ctx.poller.subscribe('process', (event, context) => {
    noticeBots(event);
    return process(event, context);
  });

  const bucket = ctx.env.CONTENT_BUCKET!;
  const s3 = new S3Client({
    endpoint: ctx.emulators.endpoints.s3,
    region: ctx.emulators.region,
    credentials: ctx.emulators.credentials,
    forcePathStyle: true,
  });
  let etag: string | undefined;
  const checkIfChanged = async () => {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: rulesKey }));
      if (head.ETag && head.ETag !== etag) {
        etag = head.ETag;
        await check(s3Event(bucket, rulesKey), lambdaContext('rulesCheck'));
      }
    } catch (err) {
      if ((err as Error).name !== 'NotFound') console.error('[rules check]', err);
    }
  };
  await checkIfChanged();
  const rulesTimer = setInterval(() => void checkIfChanged(), rulesPollMs);

  const runSweep = () => sweep({}, lambdaContext('sweep')).catch((err: unknown) => console.error('[sweep]', err));
  const sweepTimer = setInterval(() => void runSweep(), sweepEveryMs);
  rulesTimer.unref();
  sweepTimer.unref();
  ctx.onStop(async () => {
    clearInterval(rulesTimer);
    clearInterval(sweepTimer);
    s3.destroy();
  });
}
