import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBroadcastStore } from '../../../functions/broadcasts/adapters/broadcast-store.js';
import { pagePortsFromEnv } from '../../../functions/broadcasts/adapters/ports.js';
import { executionName } from '../../../functions/broadcasts/domain/asl.js';
import { type Broadcast } from '../../../functions/broadcasts/domain/model.js';
import { runPage } from '../../../functions/broadcasts/domain/page.js';
import { DynamoSegmentStore } from '../../../functions/segments/adapters/definition-store.js';
import { DynamoMembershipStore } from '../../../functions/segments/adapters/membership-store.js';
import { S3TemplateStore } from '../../../functions/sending/adapters/s3-templates.js';
import { checkStoredTemplate } from '../../../functions/sending/adapters/template-checker.js';
import { DynamoSendingStore } from '../../../functions/sending/adapters/dynamo-sending-store.js';
import { sendIdOf } from '../../../functions/sending/domain/send.js';
import { dayKey } from '../../../functions/sending/domain/windows.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { type LocalLambda, scenarioTaskResources } from '../../../local/emulators/step-functions/integrations.js';
import { LocalStepFunctions } from '../../../local/emulators/step-functions/server.js';
import { runAs } from '../../../local/iam/index.js';
import { localBroadcastPageArn, registerBroadcasts } from '../../../local/runtime/plugins/broadcasts.js';
import type { LocalContext } from '../../../local/runtime/context.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { inbox, putProfile, putTemplate } from '../../helpers/sending.js';

let aws: TestAws;
let sfn: LocalStepFunctions;
let s3: S3Client;
let admin: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let store: DynamoBroadcastStore;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const table = () => aws.env.TABLE_NAME!;
const template = `---
subject: "News for {{ profile.traits.firstName | default: 'you' }}"
category: marketing
---
<html><body><p>Hello</p><p>{{ sender.name }} {{ sender.address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>
`;

async function call(method: 'GET' | 'POST', path: string, routePath: string, opts: { body?: unknown; id?: string } = {}) {
  const res = await admin({ ...apiEvent({ method, path, ...(opts.body ? { body: opts.body } : {}) }), routeKey: `${method} ${routePath}`, ...(opts.id ? { pathParameters: { id: opts.id } } : {}) }, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}
const show = async (id: string) => (await call('GET', `/v1/admin/broadcasts/${id}`, '/v1/admin/broadcasts/{id}', { id })).body;
const act = (id: string, action: string) => call('POST', `/v1/admin/broadcasts/${id}/${action}`, `/v1/admin/broadcasts/{id}/${action}`, { id });
const executionArn = (id: string, generation: number) => `arn:aws:states:us-east-1:000000000000:execution:Nurture-broadcasts:${executionName(id, generation)}`;
const mailsTo = async (prefix: string) => (await inbox(aws.emulators.endpoints.ses)).filter((m) => m.destination.to[0]!.startsWith(prefix));

/** `n` profiles with emails, members of `segment` (seeded as the membership store applies them). */
async function seed(segment: string, prefix: string, n: number) {
  await new DynamoSegmentStore(aws.doc, table()).create({ id: segment, name: segment, conditions: [{ field: 'consent', equals: 'granted' }] } as never);
  const members = new DynamoMembershipStore(aws.doc, table());
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        await putProfile(aws.doc, table(), { profileId: id, email: `${id}@example.com`, traits: { firstName: id } });
        await members.apply(id, { type: 'segment.entered', segmentId: segment, at: new Date().toISOString() } as never);
      }),
    );
  }
  return ids;
}

/** A broadcast item made directly (to pick its rate), started like the admin function starts one. */
async function startDirect(b: Partial<Broadcast> & { id: string; segmentId: string }) {
  const now = new Date().toISOString();
  const full: Broadcast = { templateId: 'news', schedule: 'now', capPolicy: 'skip', status: 'running', startAt: now, ratePerSecond: 16, defaultTimeZone: 'UTC', members: 0, createdAt: now, updatedAt: now, generation: 0, ...b };
  expect(await store.create(full)).toBe(true);
  const ports = await runAs('broadcastPage', () => pagePortsFromEnv());
  await runAs('broadcastPage', () => ports.starter.start(full, 0));
  return full;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  aws = await startTestAws({
    SENDER_ADDRESS: 'news@acme.example',
    SES_CONFIGURATION_SET: 'nurture',
    PUBLIC_API_URL: 'https://api.nurture.test',
    LINK_SECRET: 'test-link-secret-0123456789abcdef0123456789',
    SEND_CAPS: JSON.stringify({ marketing: { perDay: 1, perWeek: 10 } }),
    QUIET_HOURS: 'off',
    DEFAULT_TIME_ZONE: 'UTC',
    // 1,600/s: one page of 100 a shard per second (waits are scaled 1000× below).
    SES_RATE_PER_SECOND: '1600',
    // The local SES emulator (behind the IAM proxy) resets connections under 16 × 8 concurrent sends; a
    // reset after SES accepted is "outcome unknown" for the send use case, which then never resends.
    BROADCAST_SEND_CONCURRENCY: '2',
  });
  const region = aws.emulators.region;
  const dynamodb = new DynamoDBClient({ region, credentials: aws.emulators.credentials, endpoint: aws.env.AWS_ENDPOINT_URL_DYNAMODB });
  const eventbridge = new EventBridgeClient({ region, credentials: aws.emulators.credentials, endpoint: 'http://127.0.0.1:9' });
  const functions = new Map<string, LocalLambda>();
  sfn = new LocalStepFunctions({ region, timeScale: 1000, tasks: aws.iam.stateMachineTasks(scenarioTaskResources({ functions: (arn) => functions.get(arn), dynamodb, eventbridge })) });
  const url = await sfn.listen(0);
  const env = { AWS_ENDPOINT_URL_SFN: await aws.iam.endpoint('sfn', url) };
  Object.assign(aws.env, env);
  Object.assign(process.env, env);
  registerBroadcasts({ env: aws.env, repoRoot: process.cwd() } as unknown as LocalContext, sfn, functions);
  expect(functions.has(localBroadcastPageArn)).toBe(true);
  s3 = s3Client();
  await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'news.liquid', template);
  expect((await checkStoredTemplate(new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!), 'templates/news.liquid'))?.errors).toEqual([]);
  store = new DynamoBroadcastStore(aws.doc, table());
  admin = asFunction('broadcastsAdmin', ((await import('../../../functions/broadcasts/admin.js')) as unknown as { handler: typeof admin }).handler);
}, 180_000);

afterAll(async () => {
  await sfn?.close();
  await aws?.stop();
});

describe('segment email on the local Step Functions (IAM check on)', () => {
  it('sends exactly the mails the 1/day cap permits to 2,000 members, and the results match', async () => {
    const ids = await seed('vip', 'v', 2000);
    // Every fifth member already got a marketing mail today: the cap (1/day) skips them.
    const capped = ids.filter((_, i) => i % 5 === 0);
    const today = dayKey(new Date(), 'UTC');
    for (const id of capped) await aws.doc.send(new PutCommand({ TableName: table(), Item: { pk: `p#${id}`, sk: 'caps', [`md#${today}`]: 1 } }));

    const created = await call('POST', '/v1/admin/broadcasts', '/v1/admin/broadcasts', { body: { id: 'b-vip', segment: 'vip', template: 'news' } });
    expect(created).toMatchObject({ status: 201, body: { id: 'b-vip', status: 'running', members: 2000, ratePerSecond: 1600 } });
    // The same request again (its answer lost): the same broadcast, no second execution.
    expect(await call('POST', '/v1/admin/broadcasts', '/v1/admin/broadcasts', { body: { id: 'b-vip', segment: 'vip', template: 'news' } })).toMatchObject({ status: 200, body: { id: 'b-vip' } });

    const done = await sfn.waitFor(executionArn('b-vip', 0), 170_000);
    expect(done.status).toBe('SUCCEEDED');
    const mails = await mailsTo('v');
    expect(mails).toHaveLength(1600);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(1600);
    expect(mails.some((m) => capped.includes(m.destination.to[0]!.split('@')[0]!))).toBe(false);
    const view = await show('b-vip');
    expect(view).toMatchObject({
      status: 'done',
      progress: { shardsDone: 16, fraction: 1 },
      results: { targeted: 2000, sent: 1600, skipped: { total: 400, byReason: { 'cap-reached': 400 } }, deferred: 0 },
    });
    const listed = await call('GET', '/v1/admin/broadcasts', '/v1/admin/broadcasts');
    expect(listed.body.broadcasts.map((b: { id: string }) => b.id)).toContain('b-vip');
  }, 240_000);

  it('counts a broadcast mail\'s first bounce and first open once, however often they come', async () => {
    const profileId = 'v0001';
    const sendId = sendIdOf(profileId, 'broadcast#b-vip');
    const sending = new DynamoSendingStore(aws.doc, table());
    const sesEvents = asFunction('sesEvents', ((await import('../../../functions/sending/ses-events.js')) as unknown as { handler: (e: unknown) => Promise<void> }).handler);
    const bounce = {
      id: 'e1',
      time: new Date().toISOString(),
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      detail: { eventType: 'Bounce', mail: { messageId: 'm', tags: { broadcastId: ['b-vip'], sendId: [sendId], profileId: [profileId] } }, bounce: { bounceType: 'Transient', bouncedRecipients: [] } },
    };
    await sesEvents(bounce);
    await sesEvents(bounce); // EventBridge delivered it twice
    expect(await runAs('mailLinks', () => sending.markBroadcastFeedback(profileId, sendId, 'b-vip', 'opened', new Date()))).toBe(true);
    expect(await runAs('mailLinks', () => sending.markBroadcastFeedback(profileId, sendId, 'b-vip', 'opened', new Date()))).toBe(false);
    // A send of no broadcast (or of another) counts nothing.
    expect(await sending.markBroadcastFeedback(profileId, sendId, 'b-other', 'clicked', new Date())).toBe(false);
    expect((await show('b-vip')).results).toMatchObject({ bounced: 1, opened: 1, clicked: 0 });
  });

  it('a page that crashes after sending part of its page, then a second execution, mails nobody twice', async () => {
    const ids = await seed('crash', 'c', 160);
    const b = await store.create({
      id: 'b-crash', segmentId: 'crash', templateId: 'news', schedule: 'now', capPolicy: 'skip', status: 'running', startAt: new Date().toISOString(),
      ratePerSecond: 1600, defaultTimeZone: 'UTC', members: 160, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), generation: 0,
    });
    expect(b).toBe(true);
    // The page task of shard 0 dies after its third send (as a Lambda timing out would).
    const ports = await runAs('broadcastPage', () => pagePortsFromEnv());
    let left = 3;
    const crashing = { ...ports, send: async (input: Parameters<typeof ports.send>[0]) => {
      if (left-- <= 0) throw new Error('Task timed out');
      return ports.send(input);
    } };
    const shard0 = (await Promise.all(ids.map(async (id) => ({ id, shard: (await import('../../../functions/segments/domain/membership.js')).memberShard(id) })))).filter((m) => m.shard === 0);
    await expect(runAs('broadcastPage', () => runPage({ broadcastId: 'b-crash', shard: 0 }, crashing))).rejects.toThrow('timed out');
    // Sends already in flight when the task died reach SES (a Lambda killed mid-call may have sent too).
    await new Promise((r) => setTimeout(r, 1_000));
    const partial = (await mailsTo('c')).length;
    expect(partial).toBeGreaterThanOrEqual(3);
    expect(partial).toBeLessThan(shard0.length);

    // The broadcast resumes in an execution (the stalled broadcast's resume starts one).
    expect((await act('b-crash', 'resume')).status).toBe(200);
    expect((await sfn.waitFor(executionArn('b-crash', 1), 120_000)).status).toBe('SUCCEEDED');
    const mails = await mailsTo('c');
    expect(mails).toHaveLength(160);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(160);
    expect((await show('b-crash')).results).toMatchObject({ targeted: 160, sent: 160, skipped: { total: 0 } });
  }, 180_000);

  it('pause stops sending, resume continues from where it stopped, nobody twice', async () => {
    await seed('slow', 's', 160);
    // 0.16/s: one recipient a shard every 100 s (waits scaled 1000×: 100 ms).
    await startDirect({ id: 'b-pause', segmentId: 'slow', ratePerSecond: 0.16, members: 160 });
    await until(async () => (await mailsTo('s')).length >= 16);
    expect((await act('b-pause', 'pause')).body.status).toBe('paused');
    // Pages already running finish; then nothing more goes out while paused.
    await new Promise((r) => setTimeout(r, 500));
    const atPause = (await mailsTo('s')).length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await mailsTo('s')).length).toBe(atPause);
    expect(atPause).toBeLessThan(160);
    expect((await act('b-pause', 'pause')).status).toBe(200); // repeated: same answer
    expect((await act('b-pause', 'resume')).body.status).toBe('running');
    expect((await sfn.waitFor(executionArn('b-pause', 0), 120_000)).status).toBe('SUCCEEDED');
    const mails = await mailsTo('s');
    expect(mails).toHaveLength(160);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(160);
    expect((await show('b-pause')).results).toMatchObject({ targeted: 160, sent: 160 });
  }, 180_000);

  it('a local-time schedule mails a zone where the time has passed at once, and a zone still before it at its time, never before', async () => {
    const ids = await seed('zones', 'z', 32);
    // Half the profiles in UTC+2, where the wall time came 2 hours ago; half without a zone (the default,
    // UTC), where it comes at the next whole minute at least 15 s ahead: a real wait (a repeated Timestamp
    // wait is not scaled locally), so the test can see nobody is mailed early.
    const at = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
    const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
    for (const [i, id] of ids.entries()) {
      await putProfile(aws.doc, table(), { profileId: id, email: `${id}@example.com`, ...(i % 2 === 0 ? { timezone: 'Etc/GMT-2' } : {}) });
    }
    const created = await call('POST', '/v1/admin/broadcasts', '/v1/admin/broadcasts', {
      body: { id: 'b-zones', segment: 'zones', template: 'news', schedule: { localTime: hhmm, date: at.toISOString().slice(0, 10), defaultTimeZone: 'UTC' } },
    });
    expect(created.status).toBe(201);
    await until(async () => (await mailsTo('z')).length >= 16);
    expect(Date.now()).toBeLessThan(at.getTime());
    expect((await mailsTo('z')).every((m) => ids.indexOf(m.destination.to[0]!.split('@')[0]!) % 2 === 0)).toBe(true);
    expect((await show('b-zones')).results).toMatchObject({ deferred: 16, deferrals: { 'local-time': 16 } });
    expect((await sfn.waitFor(executionArn('b-zones', 0), 100_000)).status).toBe('SUCCEEDED');
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    const mails = await mailsTo('z');
    expect(mails).toHaveLength(32);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(32);
    expect((await show('b-zones')).results).toMatchObject({ targeted: 32, sent: 32, deferred: 0, deferrals: { 'local-time': 16 } });
  }, 150_000);

  it('cancel ends the broadcast: its execution finishes and nothing more is sent', async () => {
    await seed('cancel', 'x', 160);
    await startDirect({ id: 'b-cancel', segmentId: 'cancel', ratePerSecond: 0.16, members: 160 });
    await until(async () => (await mailsTo('x')).length >= 4);
    expect((await act('b-cancel', 'cancel')).body.status).toBe('cancelled');
    expect((await sfn.waitFor(executionArn('b-cancel', 0), 60_000)).status).toBe('SUCCEEDED');
    const sent = (await mailsTo('x')).length;
    expect(sent).toBeLessThan(160);
    const view = await show('b-cancel');
    expect(view.status).toBe('cancelled');
    expect(view.results.sent).toBe(sent);
    expect((await act('b-cancel', 'resume')).status).toBe(409);
  }, 120_000);
});
