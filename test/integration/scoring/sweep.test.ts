import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankPartition } from '../../../functions/scoring/adapters/profile-store.js';
import { type BusEvent, LocalEventBus } from '../../../local/emulators/event-bus.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const rulesYaml = `
version: 1
halfLifeDays: 30
stages: { mql: 15, sql: 50, dormantAfterDays: 60 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
`;

let aws: TestAws;
let bus: LocalEventBus;
let sweep: (input: { now?: string }, c: Context) => Promise<{ dormant: number; scanned: number }>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;
const published: BusEvent[] = [];

beforeAll(async () => {
  bus = new LocalEventBus();
  bus.onEvent((e) => published.push(e));
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'nurture-local' });
  const s3 = new S3Client({ endpoint: aws.emulators.endpoints.s3, region: 'us-east-1', credentials: aws.emulators.credentials, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'rules/active/scoring.yaml', Body: rulesYaml }));
  s3.destroy();
  sweep = asFunction('sweep', ((await import('../../../functions/scoring/sweep.js')) as unknown as { handler: typeof sweep }).handler);
});

afterAll(async () => {
  await aws?.stop();
  await bus?.close();
});

const lead = (profileId: string, lastSeenAt: string) =>
  aws.doc.send(
    new PutCommand({
      TableName: aws.env.TABLE_NAME,
      Item: { pk: `p#${profileId}`, sk: 'profile', profileId, stage: 'known', lastSeenAt, v: 1, gsi1pk: rankPartition('known', profileId), gsi1sk: 10 },
    }),
  );

describe('dormancy sweep', () => {
  it('makes known leads without activity for 60 days dormant, once, within its own role', async () => {
    const now = '2026-06-01T00:00:00.000Z';
    await lead('p-quiet', '2026-03-01T00:00:00.000Z');
    await lead('p-active', '2026-05-20T00:00:00.000Z');

    expect(await sweep({ now }, ctx)).toMatchObject({ dormant: 1 });
    expect(await sweep({ now }, ctx)).toMatchObject({ dormant: 0 });
    await bus.drain();

    const stage = async (id: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item?.stage;
    expect(await stage('p-quiet')).toBe('dormant');
    expect(await stage('p-active')).toBe('known');
    expect(published.filter((e) => e['detail-type'] === 'lead.stage_changed').map((e) => e.detail)).toEqual([
      expect.objectContaining({ profileId: 'p-quiet', from: 'known', to: 'dormant' }),
    ]);
    // Query on the ranking index, conditional updates, the rules and the bus: all granted to the sweep.
    expect([...aws.iam.checked.keys()]).toEqual(expect.arrayContaining(['sweep dynamodb:Query', 'sweep dynamodb:UpdateItem', 'sweep events:PutEvents', 'sweep s3:GetObject']));
    expect(aws.iam.denials).toEqual([]);
  });
});
