import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { collected, day, pageView } from '../../helpers/events.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

const rules = `
version: 1
stages: { mql: 10, sql: 50, dormantAfterDays: 30 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 12 }
`;

let aws: TestAws;
let bus: LocalEventBus;
let sweep: (input: { now?: string }, c: Context) => Promise<{ dormant: number; scanned: number }>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws, rules);
  const { handler } = (await import('../../../functions/scoring/process.js')) as unknown as {
    handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
  };
  sweep = asFunction('sweep', ((await import('../../../functions/scoring/sweep.js')) as unknown as { handler: typeof sweep }).handler);
  // An MQL last seen on day 0, and a known lead last seen on day 40.
  const lead = (anon: string, at: string) => [
    collected({ type: 'identify', anonymousId: anon, at, traits: { email: `${anon}@firm.com` }, nurture: { v: 1, bot: false, profileId: anonymousProfileId(anon) } }),
    pageView('/pricing', at, { anonymousId: anon }),
  ];
  await asFunction('process', handler)(kinesisBatch([...lead('quiet', day(0)), ...lead('busy', day(40))]), ctx);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const item = async (anon: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${anonymousProfileId(anon)}`, sk: 'profile' } }))).Item!;

describe('dormancy sweep', () => {
  it('makes leads inactive for dormantAfterDays dormant once, says so on the bus, and leaves active ones alone', async () => {
    expect((await item('quiet')).stage).toBe('mql');
    const first = await sweep({ now: day(45) }, ctx);
    expect(first.dormant).toBe(1);
    expect(await item('quiet')).toMatchObject({ stage: 'dormant', stageBeforeDormant: 'mql', gsi1pk: expect.stringMatching(/^rank#dormant#/) });
    expect((await item('busy')).stage).toBe('mql');
    await bus.drain();
    const changes = bus.history.filter((e) => e['detail-type'] === 'lead.stage_changed' && e.detail.to === 'dormant');
    expect(changes.map((e) => e.detail.profileId)).toEqual([anonymousProfileId('quiet')]);
    expect((await sweep({ now: day(45) }, ctx)).dormant).toBe(0);
    // Each read and write above is one the sweep's role is granted (IAM-faithful local mode).
    expect([...aws.iam.checked.keys()]).toEqual(expect.arrayContaining(['sweep dynamodb:UpdateItem', 'sweep events:PutEvents', 'sweep s3:GetObject']));
    expect(aws.iam.denials).toEqual([]);
  });
});
