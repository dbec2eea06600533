import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../functions/crm/domain/signature.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { publicPath, putRules } from '../../helpers/public-path.js';

type Http = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type Processor = (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;

const secret = 'crm-test-secret-'.padEnd(48, 'x');
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
let aws: TestAws;
let bus: LocalEventBus;
let inbound: Http;
let processor: Processor;
let sendPublic: Awaited<ReturnType<typeof publicPath>>;
let delivered = 0;
const deliveredIn = new Map<string, number>();

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus', CRM_SECRET: `${secret},previous-secret-${'y'.repeat(32)}` });
  await putRules(aws);
  inbound = asFunction('crmInbound', ((await import('../../../functions/crm/inbound.js')) as unknown as { handler: Http }).handler);
  processor = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: Processor }).handler);
  sendPublic = await publicPath(aws);
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

/** Runs the stream processor over the records put since the last run, on a shard of its own. */
async function processNew(): Promise<CollectedEvent[]> {
  const records = await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);
  const fresh: CollectedEvent[] = [];
  const inShard = new Map<string, number>();
  for (const r of records) {
    const i = (inShard.get(r.shardId) ?? 0) + 1;
    inShard.set(r.shardId, i);
    if (i > (deliveredIn.get(r.shardId) ?? 0)) fresh.push(r.data as unknown as CollectedEvent);
  }
  for (const [shard, n] of inShard) deliveredIn.set(shard, n);
  if (fresh.length > 0) expect(await processor(kinesisBatch(fresh, { shard: 'shardId-000000000009', firstSeq: delivered + 1 }), ctx)).toEqual({ batchItemFailures: [] });
  delivered += fresh.length;
  await bus.drain();
  return fresh;
}

async function post(event: Record<string, unknown>) {
  const raw = JSON.stringify(event);
  const res = await inbound(apiEvent({ path: '/v1/crm/events', body: raw, headers: { 'Nurture-Signature': signRequest(secret, raw, new Date()) } }), ctx);
  return { status: res.statusCode!, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}
const profile = async (id: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item as
  | { stage: string; recent: { name?: string; id: string }[] }
  | undefined;
const stageChanges = (profileId: string) =>
  bus.history.filter((e) => e['detail-type'] === 'lead.stage_changed' && e.detail.profileId === profileId).map((e) => e.detail.to);

describe('inbound CRM updates, end to end', () => {
  it('moves a known lead to SQL on opportunity_created and to customer on deal_won, with the deal on its timeline', async () => {
    await sendPublic('identify', { anonymousId: 'crm-visitor', traits: { email: 'ken@example.co.jp' } });
    const at = new Date().toISOString();
    const opp = await post({ id: 'opp-1', type: 'opportunity_created', occurredAt: at, contact: { email: 'Ken@Example.co.jp' }, opportunityId: '006A' });
    expect(opp.status).toBe(200);
    const profileId = String(opp.body.profileId);
    expect((await profile(profileId))?.stage).toBe('known');

    const first = await processNew();
    expect(first.map((e) => [e.messageId, e.nurture.minStage, e.nurture.profileId])).toEqual([['crm-opp-1', 'sql', profileId]]);
    expect((await profile(profileId))?.stage).toBe('sql');
    // One lead.stage_changed per step, as for a lead that scored its way up.
    expect(stageChanges(profileId).slice(-2)).toEqual(['mql', 'sql']);

    const won = await post({ id: 'won-1', type: 'deal_won', occurredAt: new Date().toISOString(), contact: { email: 'ken@example.co.jp' }, amount: 1200000, currency: 'JPY' });
    expect(won).toMatchObject({ status: 200, body: { profileId } });
    await processNew();
    const item = await profile(profileId);
    expect(item?.stage).toBe('customer');
    expect(item?.recent.map((a) => a.name)).toContain('CRM Deal Won');
    expect(stageChanges(profileId).slice(-3)).toEqual(['mql', 'sql', 'customer']);
  });

  it('changes nothing when the same event arrives twice', async () => {
    const event = { id: 'won-2', type: 'deal_won', occurredAt: new Date().toISOString(), contact: { email: 'aya@example.co.jp' } };
    const once = await post(event);
    expect(once.status).toBe(200);
    await processNew();
    const before = await profile(String(once.body.profileId));
    const changes = stageChanges(String(once.body.profileId)).length;
    const twice = await post(event);
    expect(twice).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await processNew()).toEqual([]);
    expect(await profile(String(once.body.profileId))).toEqual(before);
    expect(stageChanges(String(once.body.profileId))).toHaveLength(changes);
    expect(before?.stage).toBe('customer');
  });

  it('refuses a request signed with an unknown secret (401) and a crmId-only contact (422)', async () => {
    const raw = JSON.stringify({ id: 'x-1', type: 'deal_won', occurredAt: new Date().toISOString(), contact: { email: 'x@example.co.jp' } });
    const res = await inbound(apiEvent({ path: '/v1/crm/events', body: raw, headers: { 'nurture-signature': signRequest('not-the-secret', raw, new Date()) } }), ctx);
    expect(res.statusCode).toBe(401);
    const crmOnly = await post({ id: 'x-2', type: 'deal_won', occurredAt: new Date().toISOString(), contact: { crmId: '003B' } });
    expect(crmOnly).toMatchObject({ status: 422, body: { field: 'contact.email' } });
  });
});
