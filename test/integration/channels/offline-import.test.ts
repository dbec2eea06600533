import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerSk } from '../../../functions/channels/adapters/offline-importer.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownProfileId } from '../../../functions/identity/domain/keys.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { triggerPattern } from '../../../functions/scenarios/domain/patterns.js';
import { LocalEventBus, type BusEvent } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

type Http = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type Processor = (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;

let aws: TestAws;
let bus: LocalEventBus;
let admin: Http;
let processor: Processor;
const triggered: BusEvent[] = [];
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
/** Stream records already handed to the processor (each import's new records go as the next batch). */
let delivered = 0;

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws); // The shipped default rules: they score a seminar visit.
  // What a scenario triggered by a seminar visit subscribes to (the same pattern CDK deploys).
  bus.addRule({
    name: 'seminar-scenario',
    pattern: triggerPattern({ event: 'Offline Touch', where: { 'properties.channel': 'seminar' } } as Parameters<typeof triggerPattern>[0]),
    target: async (e) => void triggered.push(e),
  });
  admin = asFunction('channelsAdmin', ((await import('../../../functions/channels/admin.js')) as unknown as { handler: Http }).handler);
  processor = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: Processor }).handler);
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const post = async (csv: string) => {
  const res = await admin(apiEvent({ path: '/v1/admin/channels/offline', body: csv, headers: { 'content-type': 'text/csv' }, query: { importedFrom: 'attendees.csv' } }), ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
};

/** Runs the stream processor over the records put since the last run, as the event source mapping does. */
async function processNew(): Promise<number> {
  const records = await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);
  const fresh = records.slice(delivered).map((r) => r.data as unknown as CollectedEvent);
  if (fresh.length > 0) expect(await processor(kinesisBatch(fresh, { firstSeq: delivered + 1 }), ctx)).toEqual({ batchItemFailures: [] });
  delivered = records.length;
  await bus.drain();
  return records.length;
}

const profileOf = async (email: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${knownProfileId({ kind: 'email', value: email })}`, sk: 'profile' } }))).Item;

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const file = [
  'Email,氏名,Company,Channel,Campaign,Date,Consent',
  `Hana@Firm.jp,Hana Sato,Firm KK,セミナー,spring-seminar,${day(3).replaceAll('-', '/')},同意`,
  `ken@firm.jp,Ken Ito,Firm KK,store,,${day(2)},no`,
].join('\n');

describe('offline import into local mode', () => {
  it('refuses a file with bad rows, naming each line and field, and puts nothing on the stream', async () => {
    const res = await post(['email,channel,date,consent', 'bad-email,seminar,2026-01-01,yes', `a@firm.jp,seminar,${day(1)},`].join('\n'));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ line: 2, field: 'email' }),
      expect.objectContaining({ line: 3, field: 'consent' }),
    ]);
    expect(await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).toHaveLength(0);
  });

  it('makes the person known with email and company, an Offline Touch scored by the seminar rule, and consent as given', async () => {
    const res = await post(file);
    expect(res).toEqual({ status: 200, body: { imported: 2, skippedAsDuplicates: 0, profiles: 2 } });
    // Consent is recorded before the processor created the profile item: an item holding only consent.
    expect(Object.keys((await profileOf('hana@firm.jp')) ?? {}).sort()).toEqual(['consent', 'pk', 'sk']);
    expect(await processNew()).toBe(4);

    const hana = await profileOf('hana@firm.jp');
    expect(hana).toMatchObject({ known: true, email: 'hana@firm.jp', traits: { name: 'Hana Sato', company: 'Firm KK' } });
    expect(hana!.consent).toEqual({ status: 'granted', source: 'offline:seminar:spring-seminar', at: `${day(3)}T00:00:00.000Z` });
    expect(hana!.score.rules['seminar-visit']).toBeGreaterThan(0);
    const touch = (hana!.recent as { name?: string; data?: Record<string, unknown>; pts?: [string, number][] }[]).find((e) => e.name === 'Offline Touch');
    expect(touch).toMatchObject({ data: { channel: 'seminar', campaign: 'spring-seminar', importedFrom: 'attendees.csv' }, pts: [['seminar-visit', 20]] });

    const ken = await profileOf('ken@firm.jp');
    expect(ken!.consent).toMatchObject({ status: 'revoked', source: 'offline:store:' });
    expect(ken!.score.rules['seminar-visit']).toBeUndefined();
  });

  it('publishes the Offline Touch as an activity a scenario triggers on', async () => {
    const hanaId = knownProfileId({ kind: 'email', value: 'hana@firm.jp' });
    expect(triggered.map((e) => [e['detail-type'], e.detail.profileId])).toEqual([['Offline Touch', hanaId]]);
    expect(triggered[0]!.detail).toMatchObject({ event: 'Offline Touch', properties: { channel: 'seminar', campaign: 'spring-seminar' } });
  });

  it('changes nothing when the same file is imported again: no event, same score, same consent', async () => {
    const before = await profileOf('hana@firm.jp');
    const busBefore = bus.history.length;
    expect(await post(file)).toEqual({ status: 200, body: { imported: 0, skippedAsDuplicates: 2, profiles: 0 } });
    expect(await processNew()).toBe(4);
    const after = await profileOf('hana@firm.jp');
    expect(after!.score).toEqual(before!.score);
    expect(after!.consent).toEqual(before!.consent);
    expect(after!.v).toBe(before!.v);
    expect(bus.history.length).toBe(busBefore);
  });

  it('changes nothing either when an import stopped after its events went out (no ledger item): the processor drops the repeats', async () => {
    const ledger = await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME, FilterExpression: 'sk = :s', ExpressionAttributeValues: { ':s': ledgerSk } }));
    expect(ledger.Items).toHaveLength(2);
    for (const item of ledger.Items!) await aws.doc.send(new DeleteCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: item.pk, sk: item.sk } }));
    const before = await profileOf('hana@firm.jp');
    const triggeredBefore = triggered.length;

    expect((await post(file)).body).toEqual({ imported: 2, skippedAsDuplicates: 0, profiles: 2 });
    expect(await processNew()).toBe(8);
    const after = await profileOf('hana@firm.jp');
    expect(after!.score).toEqual(before!.score);
    expect(after!.consent).toEqual(before!.consent);
    expect(after!.v).toBe(before!.v);
    expect(triggered).toHaveLength(triggeredBefore);
  });

  it('never overwrites a later consent decision with an older imported one', async () => {
    const hanaId = knownProfileId({ kind: 'email', value: 'hana@firm.jp' });
    const unsubscribed = { status: 'revoked', source: 'unsubscribe', at: new Date().toISOString() };
    await aws.doc.send(
      new UpdateCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${hanaId}`, sk: 'profile' }, UpdateExpression: 'SET consent = :c', ExpressionAttributeValues: { ':c': unsubscribed } }),
    );
    const res = await post(['email,channel,campaign,date,consent', `hana@firm.jp,event,expo,${day(1)},yes`].join('\n'));
    expect(res.body).toEqual({ imported: 1, skippedAsDuplicates: 0, profiles: 1 });
    expect(await processNew()).toBe(10);
    const hana = await profileOf('hana@firm.jp');
    expect(hana!.consent).toEqual(unsubscribed);
    expect(hana!.score.rules['event-booth-visit']).toBeGreaterThan(0);
  });
  it("records consent on a merged profile's survivor, never on its tombstone", async () => {
    const item = (pk: string, sk: string, rest: Record<string, unknown>) => aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: { pk, sk, ...rest } }));
    await item('id#email#merged@firm.jp', 'link', { profileId: 'p_gone', asOf: '2026-01-01T00:00:00.000Z' });
    await item('p#p_gone', 'profile', { profileId: 'p_gone', mergedInto: 'p_kept' });
    await item('p#p_kept', 'profile', { profileId: 'p_kept', known: true });
    const res = await post(['email,channel,date,consent', `merged@firm.jp,store,${day(1)},yes`].join('\n'));
    expect(res.body).toMatchObject({ imported: 1 });
    const get = async (id: string) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item;
    expect((await get('p_kept'))!.consent).toMatchObject({ status: 'granted', source: 'offline:store:' });
    expect(await get('p_gone')).not.toHaveProperty('consent');
  });
});
