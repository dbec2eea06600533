import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeSend } from '../../local/runtime/plugins/sending.js';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';
import { readStream } from '../helpers/local-aws.js';
import { inboxOf, putProfile, zoneAtLocalHour } from '../helpers/sending.js';

let local: LocalNurture;
let doc: DynamoDBDocumentClient;
let s3: S3Client;

beforeAll(async () => {
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 } });
  const cfg = { region: local.emulators.region, credentials: local.emulators.credentials };
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...cfg, endpoint: local.emulators.endpoints.dynamodb }));
  s3 = new S3Client({ ...cfg, endpoint: local.emulators.endpoints.s3, forcePathStyle: true });
});
afterAll(async () => {
  doc?.destroy();
  s3?.destroy();
  await local?.stop();
});

const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
/** Links a person sees: every href but the hidden honeypot anchor's. */
const visibleHrefs = (html: string) => hrefs(html.replace(/<a aria-hidden="true"[^>]*><\/a>/g, ''));

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('email in local mode, as a person reads it', () => {
  it('puts the seeded welcome mail in the local inbox with working tracked and unsubscribe links', async () => {
    await putProfile(doc, local.env.TABLE_NAME!, {
      profileId: 'p_e2e',
      email: 'reader@example.com',
      timezone: zoneAtLocalHour(12),
      traits: { firstName: 'Robin' },
    });

    const result = await invokeSend({ profileId: 'p_e2e', templateId: 'welcome', idempotencyKey: 'e2e-1', category: 'marketing' });

    expect(result).toMatchObject({ status: 'sent' });
    const [mail] = await inboxOf(local.inboxUrl, 'reader@example.com');
    expect(mail?.subject).toBe('Welcome to Acme Analytics, Robin');
    const links = visibleHrefs(mail!.body.html!);
    const click = links.find((h) => h.startsWith(`${local.apiUrl}/v1/t/c/`))!;
    const redirect = await fetch(click, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(/^https:\/\/www\.example\.com\//);

    const unsubscribe = links.find((h) => h.startsWith(`${local.apiUrl}/v1/u/`))!;
    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Unsubscribe from all marketing email');
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await invokeSend({ profileId: 'p_e2e', templateId: 'welcome', idempotencyKey: 'e2e-2', category: 'marketing' })).toMatchObject({
      status: 'skipped',
      reason: 'unsubscribed',
    });
  });

  it('checks an uploaded template within seconds and shows the marketer why it is broken', async () => {
    const source = '---\nsubject: Hi\ncategory: marketing\n---\n<p>{% if profile.score > 3 %}hot</p>\n<a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ sender.name }} {{ sender.address }}\n';
    await s3.send(new PutObjectCommand({ Bucket: local.env.CONTENT_BUCKET, Key: 'templates/promo.liquid', Body: source }));

    const report = await until(
      async () => {
        const res = await fetch(`${local.apiUrl}/v1/admin/templates/promo`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
        return res.status === 200 ? ((await res.json()) as { report: { ok: boolean; errors: { line?: number; message: string }[] } }).report : undefined;
      },
      (r) => r !== undefined,
    );

    expect(report).toMatchObject({ ok: false, errors: [{ line: 5, message: expect.stringContaining('not closed') }] });
    const beside = await s3.send(new GetObjectCommand({ Bucket: local.env.CONTENT_BUCKET, Key: 'templates/promo.check.json' }));
    expect(JSON.parse(await beside.Body!.transformToString())).toMatchObject({ ok: false });
    await expect(invokeSend({ profileId: 'p_e2e', templateId: 'promo', idempotencyKey: 'e2e-3', category: 'marketing' })).rejects.toMatchObject({
      name: 'TemplateError',
    });
  });

  it('records the opens the SES inbox page fires by listing mail as machine opens, which earn no points', async () => {
    // A lead as the site makes one: identified through the public API, then mailed.
    const address = 'inbox-reader@example.com';
    const identified = await fetch(`${local.apiUrl}/v1/identify`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}`, 'user-agent': browserUserAgent },
      body: JSON.stringify({ anonymousId: 'anon-inbox-reader', traits: { email: address, timezone: zoneAtLocalHour(12) } }),
    });
    expect(identified.status).toBe(200);
    type View = { profile?: { profileId: string; timezone?: string }; activity: { name?: string }[]; score: { byRule: { ruleId: string; points: number }[] } };
    const profileView = async () =>
      (await fetch(`${local.apiUrl}/v1/admin/profiles/email:${address}`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } })).json() as Promise<View>;
    const profileId = (await until(profileView, (v) => v.profile?.timezone !== undefined, 20_000)).profile!.profileId;
    expect(await invokeSend({ profileId, templateId: 'welcome', idempotencyKey: 'e2e-inbox', category: 'marketing' })).toMatchObject({ status: 'sent' });
    const [mail] = await inboxOf(local.inboxUrl, address);
    const pixel = mail!.body.html!.match(/<img src="([^"]+)"/)![1]!.replace(/&amp;/g, '&');

    // A developer opens the inbox page: it renders every mail, loading each one's open pixel.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ userAgent: browserUserAgent });
      const loaded = new Set<string>();
      page.on('requestfinished', (r) => loaded.add(r.url()));
      await page.goto(local.inboxUrl);
      await until(async () => loaded.has(pixel), (seen) => seen);
      expect(loaded.has(pixel)).toBe(true);
    } finally {
      await browser.close();
    }
    const kinesis = new KinesisClient({ region: local.emulators.region, credentials: local.emulators.credentials, endpoint: local.emulators.endpoints.kinesis, requestHandler: new NodeHttpHandler() });
    const opens = (await readStream(kinesis, local.env.EVENTS_STREAM_NAME!)).filter(
      (r) => r.data.event === 'Email Opened' && (r.data.nurture as { profileId: string }).profileId === profileId,
    );
    kinesis.destroy();
    expect(opens.length).toBeGreaterThanOrEqual(1);
    for (const o of opens) expect(o.data).toMatchObject({ properties: { machine: true, machineReason: 'local-inbox' }, nurture: { bot: true } });

    // The person's own open (their mail client fetching the pixel) is the one that counts: 2 points, once.
    expect((await fetch(pixel, { headers: { 'user-agent': browserUserAgent } })).headers.get('content-type')).toBe('image/gif');
    const view = await until(profileView, (v) => v.activity?.some((a) => a.name === 'Email Opened'), 20_000);
    expect(view.activity.filter((a) => a.name === 'Email Opened')).toHaveLength(1);
    expect(view.score.byRule.find((r) => r.ruleId === 'email-opened')?.points).toBeCloseTo(2, 1);
  });

  it('needs the admin token for the operator routes', async () => {
    expect((await fetch(`${local.apiUrl}/v1/admin/suppressions`)).status).toBe(401);
  });
});
