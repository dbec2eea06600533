import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '../../../functions/forms/adapters/consent-store.js';
import { confirmPortsFromEnv } from '../../../functions/forms/adapters/follow-up-ports.js';
import { confirmRoutes } from '../../../functions/forms/confirm-routes.js';
import type { FormDefinition } from '../../../functions/forms/domain/definition.js';
import { formKeys, type Submission } from '../../../functions/forms/domain/model.js';
import { formCheckKey } from '../../../functions/forms/domain/reports.js';
import { issueConfirmToken } from '../../../functions/forms/domain/tokens.js';
import { S3TemplateStore } from '../../../functions/sending/adapters/s3-templates.js';
import { checkStoredTemplate } from '../../../functions/sending/adapters/template-checker.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { serveRoutes } from '../../../functions/shared/http.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { repoRoot } from '../../helpers/repo.js';
import { inboxOf, putProfile, putTemplate } from '../../helpers/sending.js';

const api = 'https://api.nurture.test';
const linkSecret = 'test-link-secret-0123456789abcdef0123456789';
let aws: TestAws;
let bus: LocalEventBus;
let s3: S3Client;
let followUp: (e: EventBridgeEvent<'Form Submitted', unknown>) => Promise<unknown>;
let confirm: ReturnType<typeof serveRoutes>;

const form: FormDefinition = {
  id: 'brochure',
  title: { ja: '製品資料ダウンロード', en: 'Download the brochure' },
  locale: 'ja',
  fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }],
  consents: [{ id: 'newsletter', purpose: 'email', version: '2026-11', text: { ja: 'お知らせメールを受け取る', en: 'Send me news by email' } }],
  submit: { confirmationTemplate: 'brochure-delivery', doubleOptIn: true, notify: 'Brochure requested' },
  version: 'h1',
};

/** A submission as the submit route stores it: the item and its guard naming it. */
async function submitted(name: string, locale: 'ja' | 'en') {
  const sub: Submission = {
    formId: 'brochure',
    submissionId: `sub-${name}-0001`,
    submittedAt: new Date().toISOString(),
    profileId: `p_${name}`,
    email: `${name}@example.com`,
    locale,
    values: { email: `${name}@example.com` },
    consents: [{ consentId: 'newsletter', purpose: 'email', textVersion: '2026-11' }],
    networkPrefix: '203.0.113.0/24',
    doubleOptIn: 'pending',
  };
  const key = { pk: formKeys.submissionPk(sub.formId), sk: formKeys.submissionSk(sub.submittedAt, sub.submissionId) };
  await aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: { ...key, ...sub } }));
  await aws.doc.send(
    new PutCommand({
      TableName: aws.env.TABLE_NAME,
      Item: { pk: formKeys.guardPk(sub.formId, sub.submissionId), sk: formKeys.guardSk, formId: sub.formId, submissionId: sub.submissionId, submittedAt: sub.submittedAt, submissionPk: key.pk, submissionSk: key.sk },
    }),
  );
  await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: sub.profileId, email: sub.email!, traits: { firstName: name, name } });
  const event = {
    version: '0',
    id: `evt-${name}`,
    account: '123456789012',
    time: sub.submittedAt,
    region: 'us-east-1',
    resources: [],
    source: 'nurture.activity',
    'detail-type': 'Form Submitted',
    detail: { profileId: sub.profileId, messageId: `m-${name}`, occurredAt: sub.submittedAt, type: 'track', event: 'Form Submitted', properties: { formId: 'brochure', submissionId: sub.submissionId, followUp: true }, score: 5, stage: 'known' },
  } as EventBridgeEvent<'Form Submitted', unknown>;
  return { sub, key, event };
}

const item = async (key: { pk: string; sk: string }) => (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: key, ConsistentRead: true }))).Item;
const consentOf = async (profileId: string) => (await item({ pk: `p#${profileId}`, sk: 'profile' }))?.consent as { status: string; source: string; at: string } | undefined;
const ledger = (profileId: string) => new DynamoConsentStore(aws.doc, aws.env.TABLE_NAME!).list(profileId);
const tokenIn = (html: string) => /\/v1\/forms\/confirm\?t=([\w.%-]+)/.exec(html)?.[1];
const get = (t: string, headers: Record<string, string> = {}) => confirm(apiEvent({ method: 'GET', path: '/v1/forms/confirm', query: { t }, headers }));
const post = (t: string) =>
  confirm(apiEvent({ method: 'POST', path: '/v1/forms/confirm', body: `t=${encodeURIComponent(t)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

beforeAll(async () => {
  bus = new LocalEventBus();
  const busUrl = await bus.listen(0);
  aws = await startTestAws({
    AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
    EVENT_BUS_NAME: 'test-bus',
    SENDER_ADDRESS: 'hello@acme.example',
    SENDER_NAME: 'Acme Analytics',
    SENDER_POSTAL_ADDRESS: '1-2-3 Marunouchi, Tokyo',
    SES_CONFIGURATION_SET: 'nurture',
    PUBLIC_API_URL: api,
    LINK_SECRET: linkSecret,
  });
  s3 = s3Client();
  const templates = new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!);
  for (const file of ['brochure-delivery.liquid', 'form-double-opt-in.liquid']) {
    await putTemplate(s3, aws.env.CONTENT_BUCKET!, file, readFileSync(join(repoRoot, 'templates', file), 'utf8'));
    expect((await checkStoredTemplate(templates, `templates/${file}`))?.errors).toEqual([]);
  }
  const report = { formId: 'brochure', source: 'brochure.yaml', ok: true, checkedAt: new Date().toISOString(), errors: [], warnings: [], form };
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: formCheckKey('brochure'), Body: JSON.stringify(report) }));
  followUp = asFunction('formsFollowUp', ((await import('../../../functions/forms/follow-up.js')) as unknown as { handler: typeof followUp }).handler);
  // The confirm routes join the public forms function at merge; their calls here run without a principal.
  confirm = serveRoutes(confirmRoutes, await confirmPortsFromEnv());
});

afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

describe('form follow-up', () => {
  it('sends one confirmation and one double opt-in mail and hands off once, however often the event is replayed', async () => {
    const { sub, event } = await submitted('ada', 'en');

    for (let i = 0; i < 3; i++) await followUp(event);
    await bus.drain();

    const mails = await inboxOf(aws.emulators.endpoints.ses, sub.email!);
    expect(mails.map((m) => m.subject).sort()).toEqual(['Please confirm your subscription', 'Your Acme Analytics brochure']);
    const doi = mails.find((m) => m.subject.startsWith('Please confirm'))!;
    expect(doi.body.html).toContain(`${api}/v1/forms/confirm?t=`);
    expect(doi.body.html).toContain('7 days');
    const handoffs = bus.history.filter((e) => e['detail-type'] === 'lead.handoff' && e.source === 'nurture.forms');
    expect(handoffs.map((e) => e.detail)).toEqual([expect.objectContaining({ messageId: `form:brochure:${sub.submissionId}`, reason: 'Brochure requested', email: sub.email })]);
    expect(aws.iam.enabled).toBe(true);
    expect(aws.iam.denials).toEqual([]);
  });

  it('grants marketing consent only on the POST, keeps one ledger record, and a second POST changes nothing', async () => {
    const { sub, key, event } = await submitted('bea', 'ja');
    await followUp(event);
    const [doi] = (await inboxOf(aws.emulators.endpoints.ses, sub.email!)).filter((m) => m.subject.includes('確認'));
    const t = decodeURIComponent(tokenIn(doi!.body.html ?? '')!);

    // GET (what a mail scanner does) only asks.
    const page = await get(t);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="ja">');
    expect(page.body).toContain('<form method="post" action="/v1/forms/confirm">');
    expect(await consentOf(sub.profileId)).toBeUndefined();
    expect(await ledger(sub.profileId)).toEqual([]);

    const first = await post(t);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('登録が完了しました');
    const granted = await consentOf(sub.profileId);
    expect(granted).toMatchObject({ status: 'granted', source: 'form:brochure:double-opt-in' });
    const confirmed = await item(key);
    expect(confirmed).toMatchObject({ doubleOptIn: 'confirmed', confirmedAt: granted!.at });
    const records = await ledger(sub.profileId);
    expect(records).toEqual([
      expect.objectContaining({ purpose: 'email', consentId: 'newsletter', status: 'granted', method: 'double-opt-in', textVersion: '2026-11', text: 'お知らせメールを受け取る', formId: 'brochure', networkPrefix: '203.0.113.0/24', at: granted!.at }),
    ]);

    const second = await post(t);
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(await consentOf(sub.profileId)).toEqual(granted);
    expect(await item(key)).toEqual(confirmed);
    expect(await ledger(sub.profileId)).toEqual(records);
    // The link now shows the confirmation, and a replayed event sends no second double opt-in mail.
    expect((await get(t)).body).toContain('登録が完了しました');
    await followUp(event);
    expect((await inboxOf(aws.emulators.endpoints.ses, sub.email!)).filter((m) => m.subject.includes('確認'))).toHaveLength(1);
  });

  it('refuses an expired or altered link with a page in the person’s language, granting nothing', async () => {
    const { sub } = await submitted('cy', 'en');
    const expired = issueConfirmToken(linkSecret, 'brochure', sub.submissionId, new Date(Date.now() - 8 * 86_400_000));

    const en = await post(expired).then(() => get(expired, { 'accept-language': 'en-US,en;q=0.9' }));
    expect(en.statusCode).toBe(400);
    expect(en.body).toContain('valid for 7 days and has expired');
    const ja = await get(expired);
    expect(ja.statusCode).toBe(400);
    expect(ja.body).toContain('有効期限');
    const altered = await post(`${issueConfirmToken(linkSecret, 'brochure', sub.submissionId, new Date())}x`);
    expect(altered.statusCode).toBe(400);
    expect(await consentOf(sub.profileId)).toBeUndefined();
    expect(await ledger(sub.profileId)).toEqual([]);
  });
});
