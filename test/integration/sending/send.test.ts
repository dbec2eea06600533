import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredTemplate } from '../../../functions/sending/adapters/template-checker.js';
import { S3TemplateStore } from '../../../functions/sending/adapters/s3-templates.js';
import type { SendInput, SendResult } from '../../../functions/sending/domain/contract.js';
import { DynamoSendingStore } from '../../../functions/sending/adapters/dynamo-sending-store.js';
import { sendingConfigFromEnv } from '../../../functions/sending/adapters/env.js';
import { SesMailer } from '../../../functions/sending/adapters/ses-mailer.js';
import { countersFor } from '../../../functions/sending/domain/caps.js';
import { claimLeaseMs, type SendPorts, send as sendWith, sendIdOf } from '../../../functions/sending/domain/send.js';
import { localTime } from '../../../functions/sending/domain/windows.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { sesClient } from '../../../functions/shared/aws/sesv2.js';
import { inboxOf, putProfile, putTemplate, startSesProxy, zoneAtLocalHour } from '../../helpers/sending.js';

let aws: TestAws;
let ses: Awaited<ReturnType<typeof startSesProxy>>;
let s3: S3Client;
let send: (input: unknown) => Promise<SendResult>;
const api = 'https://api.nurture.test';
const noon = () => zoneAtLocalHour(12);
const localClock = (iso: string, zone: string) => {
  const l = localTime(new Date(iso), zone);
  return `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
};

const welcome = `---
subject: "Welcome, {{ profile.traits.firstName | default: 'there' }}"
category: marketing
fromName: Acme Analytics
preheader: Three ways to start
---
<html><body><h1>Hi {{ profile.traits.firstName }}</h1>
<p><a href="https://www.example.com/products?ref=mail&amp;x=1">Products</a></p>
<p>{{ sender.name }}, {{ sender.address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ view_url }}">View in browser</a></p></body></html>
`;

async function upload(file: string, source: string) {
  await putTemplate(s3, aws.env.CONTENT_BUCKET!, file, source);
  return checkStoredTemplate(new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!), `templates/${file}`);
}

async function recipient(name: string, extra: Record<string, unknown> = {}) {
  const email = `${name}@example.com`;
  await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: `p_${name}`, email, timezone: noon(), traits: { firstName: name }, ...extra });
  return { profileId: `p_${name}`, email };
}

const input = (profileId: string, key: string, extra: Partial<SendInput> = {}): SendInput => ({
  profileId,
  templateId: 'welcome',
  idempotencyKey: key,
  category: 'marketing',
  ...extra,
});

const capsItem = async (profileId: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${profileId}`, sk: 'caps' } }))).Item ?? {};
const counterValues = (item: Record<string, unknown>) =>
  Object.entries(item)
    .filter(([k]) => /^(md|mw|sd|sw)#/.test(k))
    .map(([, v]) => v);
const claims = (item: Record<string, unknown>) => Object.keys(item).filter((k) => k.startsWith('k#'));
const linkSecret = 'test-link-secret-0123456789abcdef0123456789';
/** The send use case on the same adapters as the handler, with a clock the test sets. */
const portsAt = (now: number): SendPorts => ({
  config: sendingConfigFromEnv(),
  store: new DynamoSendingStore(aws.doc, aws.env.TABLE_NAME!),
  templates: new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!),
  mailer: new SesMailer(sesClient()),
  linkSecret,
  now: () => new Date(now),
  sleep: async () => undefined,
});

beforeAll(async () => {
  aws = await startTestAws({
    SENDER_ADDRESS: 'news@acme.example',
    SES_CONFIGURATION_SET: 'nurture',
    PUBLIC_API_URL: api,
    LINK_SECRET: linkSecret,
    SEND_CAPS: JSON.stringify({ marketing: { perDay: 3, perWeek: 10 }, scenarios: { 'one-a-day': { perDay: 1 } } }),
    QUIET_HOURS: '21:00-08:00',
    DEFAULT_TIME_ZONE: 'UTC',
  });
  ses = await startSesProxy(aws.emulators.endpoints.ses);
  process.env.AWS_ENDPOINT_URL_SESV2 = ses.url;
  s3 = s3Client();
  expect((await upload('welcome.liquid', welcome))?.errors).toEqual([]);
  send = asFunction('send', ((await import('../../../functions/sending/send.js')) as unknown as { handler: typeof send }).handler);
});

afterAll(async () => {
  await ses?.stop();
  await aws?.stop();
});

describe('send function', () => {
  it('delivers a rendered mail with tracked links, a text part and one-click unsubscribe headers', async () => {
    const { profileId, email } = await recipient('ada');

    const result = await send(input(profileId, 'exec-1#welcome'));

    expect(result).toMatchObject({ status: 'sent', sendId: sendIdOf(profileId, 'exec-1#welcome') });
    const [mail, ...more] = await inboxOf(aws.emulators.endpoints.ses, email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ subject: 'Welcome, ada', from: '"Acme Analytics" <news@acme.example>' });
    expect(mail!.body.html).toContain('<h1>Hi ada</h1>');
    expect(mail!.body.html).toMatch(new RegExp(`href="${api}/v1/t/c/[\\w-]+\\.[\\w-]+"`));
    expect(mail!.body.html).not.toContain('href="https://www.example.com/products');
    expect(mail!.body.html).toMatch(new RegExp(`<img src="${api}/v1/t/o/`));
    expect(mail!.body.text).toContain('Products [https://www.example.com/products?ref=mail&x=1]');
    const headers = Object.fromEntries((mail!.headers ?? []).map((h) => [h.name, h.value]));
    expect(headers['List-Unsubscribe']).toMatch(new RegExp(`^<${api}/v1/u/[\\w.-]+>$`));
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    // The send is on the profile's history.
    const record = await aws.doc.send(
      new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${profileId}`, sk: `send#${(result as { sendId: string }).sendId}` } }),
    );
    expect(record.Item).toMatchObject({ templateId: 'welcome', idempotencyKey: 'exec-1#welcome', email, messageId: (result as { messageId: string }).messageId });
  });

  it('sends exactly K of N concurrent attempts to one recipient (cap 3/day, 200 attempts)', async () => {
    const { profileId, email } = await recipient('bea');
    const zone = noon();

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(input(profileId, `burst-${i}`, { capPolicy: i % 2 === 0 ? 'skip' : 'defer' }))),
    );

    expect(results.filter((r) => r.status === 'sent')).toHaveLength(3);
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(3);
    const skipped = results.filter((r) => r.status === 'skipped');
    const deferred = results.filter((r) => r.status === 'deferred');
    expect(skipped.length + deferred.length).toBe(197);
    expect(skipped.every((r) => r.status === 'skipped' && r.reason === 'cap-reached')).toBe(true);
    // The day reopens at local midnight, inside quiet hours: deferred to 08:00 local the next day.
    for (const r of deferred) {
      expect(r).toMatchObject({ status: 'deferred', reason: 'cap-reached' });
      expect(localClock((r as { until: string }).until, zone)).toBe('08:00');
      expect(Date.parse((r as { until: string }).until) - Date.now()).toBeLessThan(21 * 3_600_000);
    }
    expect(counterValues(await capsItem(profileId))).toEqual([3, 3]);
  });

  it('sends once for one idempotency key called 20 times at once, and answers every call alike', async () => {
    const { profileId, email } = await recipient('cy');

    const results = await Promise.all(Array.from({ length: 20 }, () => send(input(profileId, 'exec-7#step-2'))));

    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toMatchObject({ status: 'sent' });
    // A retry much later (the task timed out, Step Functions retried) gets the same answer, no mail.
    expect(await send(input(profileId, 'exec-7#step-2'))).toEqual(results[0]);
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
    expect(counterValues(await capsItem(profileId))).toEqual([1, 1]);
  });

  it('gives the reservation back when SES refuses, so the next send may use it', async () => {
    const { profileId, email } = await recipient('dee');

    ses.fault = 'refuse';
    const refused = await send(input(profileId, 'refused-1', { scenarioId: 'one-a-day' }));
    ses.fault = 'none';

    expect(refused).toMatchObject({ status: 'skipped', reason: 'rejected' });
    const item = await capsItem(profileId);
    expect(counterValues(item)).toEqual([0, 0, 0]);
    expect(claims(item)).toEqual([]);
    // The scenario allows one a day: only a released reservation lets this one through.
    expect(await send(input(profileId, 'after-refusal', { scenarioId: 'one-a-day' }))).toMatchObject({ status: 'sent' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
    expect(await send(input(profileId, 'third', { scenarioId: 'one-a-day' }))).toMatchObject({ status: 'skipped', reason: 'cap-reached' });
  });

  it('releases and throws a retryable error when SES throttles; the retry sends once', async () => {
    const { profileId, email } = await recipient('eve');

    ses.fault = 'throttle';
    await expect(send(input(profileId, 'throttled'))).rejects.toMatchObject({ name: 'SendRetryableError' });
    ses.fault = 'none';

    expect(claims(await capsItem(profileId))).toEqual([]);
    expect(await send(input(profileId, 'throttled'))).toMatchObject({ status: 'sent' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
  });

  it('never sends twice after SES accepted but the answer was lost (the function crashed)', async () => {
    const { profileId, email } = await recipient('fay');

    ses.fault = 'drop-response';
    await expect(send(input(profileId, 'lost-answer'))).rejects.toThrow();
    ses.fault = 'none';
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);

    // Time passes beyond the claim's lease; Step Functions retries the task.
    const sendId = sendIdOf(profileId, 'lost-answer');
    await aws.doc.send(
      new UpdateCommand({
        TableName: aws.env.TABLE_NAME,
        Key: { pk: `p#${profileId}`, sk: 'caps' },
        UpdateExpression: 'SET #k.#at = :old, #k.#sending = :old',
        ExpressionAttributeNames: { '#k': `k#${sendId}`, '#at': 'at', '#sending': 'sending' },
        ExpressionAttributeValues: { ':old': Date.now() - 10 * 60_000 },
      }),
    );
    expect(await send(input(profileId, 'lost-answer'))).toMatchObject({ status: 'skipped', reason: 'outcome-unknown' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
  });

  it('answers a retry of a send whose call died holding its claim: retry within the lease, outcome-unknown after, never a second mail', async () => {
    const { profileId, email } = await recipient('ida');
    const key = 'died-after-reserving';
    // The dead call: it reserved (claim and counters), right before calling SES, and stopped.
    const sendId = sendIdOf(profileId, key);
    const reservedAt = Date.now();
    const { config, store } = portsAt(reservedAt);
    const counters = countersFor(new Date(reservedAt), noon(), 'marketing', undefined, config.caps);
    expect(await store.reserve(profileId, { sendId, claim: { at: reservedAt, counters: counters.map((c) => c.attr) }, counters, stale: [] })).toBeUndefined();

    // Within the lease the holder may still be alive: the retry asks to be retried (Step Functions does).
    await expect(sendWith(input(profileId, key), portsAt(reservedAt + claimLeaseMs - 1_000))).rejects.toMatchObject({ name: 'SendInProgressError' });
    // Past the lease the holder is dead, and whether SES took its mail is unknown: never sent twice, and the
    // journey moves on with a final answer instead of failing.
    expect(await sendWith(input(profileId, key), portsAt(reservedAt + claimLeaseMs + 1_000))).toMatchObject({ status: 'skipped', reason: 'outcome-unknown' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(0);
    // Counted once: the dead call's reservation stands; no second one was made.
    expect(counterValues(await capsItem(profileId))).toEqual([1, 1]);
  });

  it('defers marketing mail in the recipient’s quiet hours to their end, reserving nothing', async () => {
    const { profileId, email } = await recipient('gil', { timezone: zoneAtLocalHour(23) });

    const result = await send(input(profileId, 'late'));

    expect(result).toMatchObject({ status: 'deferred', reason: 'quiet-hours' });
    const until = (result as { until: string }).until;
    expect(localClock(until, zoneAtLocalHour(23))).toBe('08:00');
    expect(Date.parse(until) - Date.now()).toBeLessThanOrEqual(10 * 3_600_000);
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(0);
    expect(await capsItem(profileId)).toEqual({});
  });

  it('fails with a TemplateError naming the problem, sending and reserving nothing', async () => {
    const { profileId, email } = await recipient('hal');
    const report = await upload('broken.liquid', welcome.replace('<h1>Hi {{ profile.traits.firstName }}</h1>', '<h1>{% if x %}</h1>'));
    expect(report?.ok).toBe(false);

    await expect(send(input(profileId, 'k1', { templateId: 'broken' }))).rejects.toMatchObject({
      name: 'TemplateError',
      message: expect.stringMatching(/template broken: failed its check \(line 7\): tag \{% if x %\} not closed/),
    });
    await expect(send(input(profileId, 'k2', { templateId: 'nope' }))).rejects.toThrow(/template nope: not found/);
    await expect(send(input(profileId, 'k3', { category: 'transactional' }))).rejects.toThrow(/is marketing mail/);
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(0);
    expect(await capsItem(profileId)).toEqual({});
  });

  it('refuses bad input naming the field, and skips profiles it cannot mail', async () => {
    await expect(send({ profileId: 'p_x', templateId: 'welcome', category: 'marketing' })).rejects.toMatchObject({
      name: 'SendInputError',
      field: 'idempotencyKey',
    });
    await expect(send(input('p_x', 'k', { category: 'newsletter' as 'marketing' }))).rejects.toMatchObject({ field: 'category' });
    expect(await send(input('p_nobody', 'k'))).toMatchObject({ status: 'skipped', reason: 'unknown-profile' });
    await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: 'p_anon', known: false, stage: 'anonymous' });
    expect(await send(input('p_anon', 'k'))).toMatchObject({ status: 'skipped', reason: 'no-email' });
  });

  it('follows a merged profile to its survivor and counts there', async () => {
    const { profileId, email } = await recipient('ivy');
    await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: 'p_ivy_old', mergedInto: profileId });

    expect(await send(input('p_ivy_old', 'merged-1'))).toMatchObject({ status: 'sent' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
    expect(counterValues(await capsItem(profileId))).toEqual([1, 1]);
  });

  it('sends transactional mail in quiet hours and to unsubscribed recipients, without unsubscribe headers', async () => {
    const { profileId, email } = await recipient('jo', {
      timezone: zoneAtLocalHour(2),
      consent: { status: 'revoked', source: 'test', at: new Date().toISOString() },
    });
    await upload('receipt.liquid', '---\nsubject: Your receipt\ncategory: transactional\n---\n<p>Thanks {{ profile.traits.firstName }}</p>\n');

    expect(await send(input(profileId, 'm', {}))).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
    expect(await send(input(profileId, 't', { templateId: 'receipt', category: 'transactional' }))).toMatchObject({ status: 'sent' });
    const mails = await inboxOf(aws.emulators.endpoints.ses, email);
    expect(mails.map((m) => m.subject)).toEqual(['Your receipt']);
    expect(mails[0]!.headers ?? []).toEqual([]);
    expect(Object.keys(await capsItem(profileId)).filter((k) => k.startsWith('t'))).toHaveLength(2);
  });
});
