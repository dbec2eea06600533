import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../functions/identity/domain/keys.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';
import { inboxOf } from '../helpers/sending.js';

/**
 * Issue 15 as a visitor and a bot meet it in local mode: the demo brochure landing page (the two seeded
 * files forms/brochure.yaml and pages/brochure.liquid), filled in Chromium after browsing the demo site,
 * names the same profile with its history and records consent with its text version; double opt-in grants
 * marketing consent only on the confirmation click; the form works without JavaScript; a honeypot or a
 * 300 ms submission is refused without a trace; the page has no serious accessibility violation (axe-core).
 */
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The demo form's minimum fill time is the default 3 s: a person takes longer, the test waits it out. */
const personFillMs = 3_300;
const arrivalTimeoutMs = 20_000;

let local: LocalNurture;
let browser: Browser;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100 });
  browser = await launchChromium();
  const { endpoints, region, credentials } = local.emulators;
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }));
}, 60_000);
afterAll(async () => {
  doc?.destroy();
  await browser?.close();
  await local?.stop();
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + arrivalTimeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const item = async (pk: string, sk: string) => (await doc.send(new GetCommand({ TableName: local.env.TABLE_NAME, Key: { pk, sk }, ConsistentRead: true }))).Item;
const linkOf = (email: string) => item(`id#email#${email}`, 'link');
const profileOf = (id: string) => item(`p#${id}`, 'profile');
const ledgerOf = async (id: string) =>
  (await doc.send(new QueryCommand({ TableName: local.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)', ExpressionAttributeValues: { ':pk': `p#${id}`, ':c': 'consent#' } }))).Items ?? [];

async function newContext(javaScriptEnabled = true): Promise<BrowserContext> {
  // Headless Chromium says "HeadlessChrome" and is rightly taken for a bot: present as a person's Chrome.
  return browser.newContext({ userAgent: browserUserAgent, javaScriptEnabled, locale: 'ja-JP' });
}

async function aidOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'nurture_aid');
  expect(cookie?.value).toBeTruthy();
  return cookie!.value;
}

async function fillBrochure(page: Page, who: { name: string; email: string; company?: string }) {
  await page.fill('#nf-brochure-name', who.name);
  await page.fill('#nf-brochure-email', who.email);
  if (who.company) await page.fill('#nf-brochure-company', who.company);
}

describe('the brochure landing page in local mode', () => {
  it('names the browsing visitor with their history, keeps the consent pending until the double opt-in click, and mails the brochure', async () => {
    const context = await newContext();
    const page = await context.newPage();
    // Browse the demo site anonymously: a product page sends "Product Viewed".
    await page.goto(`${local.siteUrl}/products/insight.html`);
    const aid = await aidOf(page);
    await until('the product view', async () => (await profileOf(anonymousProfileId(aid)))?.recent as { name?: string }[] | undefined, (r) => !!r?.some((e) => e.name === 'Product Viewed'));

    // The landing page on the API's host shares the site's first-party cookie (same host locally).
    const opened = Date.now();
    await page.goto(`${local.apiUrl}/p/brochure`);
    expect(await page.title()).toContain('製品資料');
    expect(await page.getAttribute('meta[property="og:title"]', 'content')).toContain('Acme Analytics');
    await fillBrochure(page, { name: '佐藤 花子', email: 'hanako.sato@example.co.jp', company: '佐藤商事' });
    await page.check('input[name="_consent.newsletter"]');
    await page.waitForTimeout(Math.max(0, personFillMs - (Date.now() - opened)));
    const answer = page.waitForResponse((r) => r.url().endsWith('/v1/forms/brochure/submit'));
    await page.click('.nurture-form__submit');
    expect((await answer).status()).toBe(200);
    await expect.poll(() => page.textContent('.nurture-form__success')).toContain('ありがとうございます');

    // The same profile, now named, with the history it had while anonymous.
    const link = await until('the identity link', () => linkOf('hanako.sato@example.co.jp'), (l) => !!l);
    expect(link!.profileId).toBe(anonymousProfileId(aid));
    const lead = await until('the named lead', () => profileOf(link!.profileId as string), (p) => p?.known === true && (p.recent as unknown[]).length >= 2);
    expect(lead).toMatchObject({ email: 'hanako.sato@example.co.jp', traits: { company: '佐藤商事', name: '佐藤 花子' } });
    expect((lead!.recent as { name?: string }[]).map((e) => e.name)).toEqual(expect.arrayContaining(['Product Viewed', 'Form Submitted', 'Brochure Requested']));

    // Double opt-in: consent is pending in the ledger (with the wording's version) and not on the profile.
    const pending = await ledgerOf(link!.profileId as string);
    expect(pending).toEqual([expect.objectContaining({ consentId: 'newsletter', status: 'pending', textVersion: '2026-12', method: 'checkbox', formId: 'brochure' })]);
    expect(lead!.consent).toBeUndefined();

    // Both mails arrive: the confirmation link, and the brochure (the brochure-nurture scenario's first step).
    const isConfirmation = (m: { body: { html?: string } }) => /\/v1\/forms\/confirm\?t=/.test(m.body.html ?? '');
    const mails = await until('the two mails', () => inboxOf(local.inboxUrl, 'hanako.sato@example.co.jp'), (m) => m.some(isConfirmation) && m.some((x) => !isConfirmation(x)));
    const confirmMail = mails.find(isConfirmation)!;
    expect(mails.filter((m) => !isConfirmation(m))).toHaveLength(1);
    const confirmUrl = /href="([^"]*\/v1\/forms\/confirm\?t=[^"]*)"/.exec(confirmMail.body.html!)![1]!.replaceAll('&amp;', '&');

    // Opening the link (as a mail scanner would) grants nothing; the person's click does.
    await page.goto(confirmUrl);
    expect((await profileOf(link!.profileId as string))!.consent).toBeUndefined();
    const [confirmPage] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(confirmPage?.status()).toBe(200);
    const confirmed = await profileOf(link!.profileId as string);
    expect(confirmed!.consent).toMatchObject({ status: 'granted', source: 'form:brochure:double-opt-in' });
    expect(await ledgerOf(link!.profileId as string)).toEqual(
      expect.arrayContaining([expect.objectContaining({ consentId: 'newsletter', status: 'granted', method: 'double-opt-in', textVersion: '2026-12' })]),
    );
    // The brochure went out once (the scenario), however long we look.
    expect((await inboxOf(local.inboxUrl, 'hanako.sato@example.co.jp')).filter((m) => !isConfirmation(m))).toHaveLength(1);
    await context.close();
  }, 90_000);

  it('accepts a plain form post from a browser without JavaScript', async () => {
    const context = await newContext(false);
    const page = await context.newPage();
    const opened = Date.now();
    await page.goto(`${local.apiUrl}/p/brochure`);
    await fillBrochure(page, { name: 'Ken Ito', email: 'ken.ito@example.com' });
    await page.waitForTimeout(Math.max(0, personFillMs - (Date.now() - opened)));
    const [response] = await Promise.all([page.waitForNavigation(), page.click('.nurture-form__submit')]);
    expect(response?.status()).toBe(200);
    expect(await page.textContent('body')).toContain('ありがとうございます');
    expect(await until('the identity link', () => linkOf('ken.ito@example.com'), (l) => !!l)).toBeDefined();
    await context.close();
  });

  it('refuses a filled honeypot and a 300 ms submission, leaving no trace in profiles', async () => {
    const context = await newContext();
    const page = await context.newPage();

    // A bot fills every input it finds, the hidden honeypot too, and takes its time.
    const opened = Date.now();
    await page.goto(`${local.apiUrl}/p/brochure`);
    const aid = await aidOf(page);
    await fillBrochure(page, { name: 'Spam Bot', email: 'bot-honeypot@spam.example' });
    await page.evaluate(() => {
      (document.querySelector('input[name="_hp"]') as HTMLInputElement).value = 'https://spam.example';
    });
    await page.waitForTimeout(Math.max(0, personFillMs - (Date.now() - opened)));
    const honeypot = page.waitForResponse((r) => r.url().endsWith('/v1/forms/brochure/submit'));
    await page.click('.nurture-form__submit');
    expect(await (await honeypot).json()).toMatchObject({ reason: 'honeypot', field: '_hp' });

    // Another submits 300 ms after the page loaded.
    await page.goto(`${local.apiUrl}/p/brochure`);
    await fillBrochure(page, { name: 'Fast Bot', email: 'bot-fast@spam.example' });
    const fast = page.waitForResponse((r) => r.url().endsWith('/v1/forms/brochure/submit'));
    await page.click('.nurture-form__submit');
    const refused = await fast;
    expect(refused.status()).toBe(422);
    expect(await refused.json()).toMatchObject({ reason: 'too-fast' });

    // Give a wrongly accepted submission time to reach the processor, then look for it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await linkOf('bot-honeypot@spam.example')).toBeUndefined();
    expect(await linkOf('bot-fast@spam.example')).toBeUndefined();
    expect((await profileOf(anonymousProfileId(aid)))?.known ?? false).toBe(false);
    await context.close();
  });

  it('publishes a new landing page from two uploaded files', async () => {
    const { endpoints, region, credentials } = local.emulators;
    const s3 = new S3Client({ endpoint: endpoints.s3, region, credentials, forcePathStyle: true });
    const form = [
      'title: { ja: セミナー申し込み, en: Seminar registration }',
      'fields:',
      '  - { name: name, type: text, label: { ja: お名前, en: Name }, required: true, trait: name }',
      '  - { name: email, type: email, label: { ja: メールアドレス, en: Email }, required: true, trait: email }',
      'submit: { event: Seminar Registered }',
      '',
    ].join('\n');
    const page = ['---', 'layout: seminar', 'title: データ活用セミナー 2027', 'form: seminar-2027', 'locale: ja', 'hero:', '  date: 2027年1月20日 15:00', '  venue: オンライン', '---', '<p>参加無料です。</p>', ''].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: local.env.CONTENT_BUCKET, Key: 'forms/seminar-2027.yaml', Body: form }));
    await s3.send(new PutObjectCommand({ Bucket: local.env.CONTENT_BUCKET, Key: 'pages/seminar-2027.liquid', Body: page }));
    s3.destroy();
    // Local mode checks uploads every 2 s (what the S3 notification does on AWS); a page is served once checked.
    const html = await until(
      'the published page',
      async () => {
        const res = await fetch(`${local.apiUrl}/p/seminar-2027`, { headers: { 'user-agent': browserUserAgent } });
        return res.status === 200 ? await res.text() : '';
      },
      (text) => text.includes('action="') && text.includes('セミナー申し込み'),
    );
    expect(html).toContain('データ活用セミナー 2027');
    expect(html).toContain(`action="${local.apiUrl}/v1/forms/seminar-2027/submit"`);
  });

  it('has no serious or critical accessibility violation (axe-core)', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${local.apiUrl}/p/brochure`);
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await context.close();
  });
});
