import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { EventBridgeEvent } from 'aws-lambda';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredTemplate } from '../../../functions/sending/adapters/template-checker.js';
import { S3TemplateStore } from '../../../functions/sending/adapters/s3-templates.js';
import type { SendResult } from '../../../functions/sending/domain/contract.js';
import { s3Client } from '../../../functions/shared/aws/s3.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { inboxOf, putProfile, putTemplate, zoneAtLocalHour } from '../../helpers/sending.js';

type Http = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let aws: TestAws;
let send: (input: unknown) => Promise<SendResult>;
let links: Http;
let admin: Http;
let sesEvents: (e: EventBridgeEvent<string, unknown>) => Promise<void>;
const api = 'https://api.nurture.test';
const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const newsletter = `---
subject: News for {{ profile.traits.firstName }}
category: marketing
topic: newsletter
---
<html><body><p>Hello {{ profile.traits.firstName }}</p>
<p><a href="https://shop.example.com/sale?id=7">Sale</a></p>
<p>{{ sender.name }}, {{ sender.address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a> <a href="{{ view_url }}">View in browser</a></p></body></html>
`;

/** The route template that matches a public URL in a mail, and its token. */
function routeOf(url: string): { method: string; routeKey: string; path: string; token: string } {
  const path = new URL(url).pathname;
  const m = /^\/v1\/(t\/o|t\/c|u|v)\/([^/]+)$/.exec(path);
  if (!m) throw new Error(`not a mail link: ${url}`);
  return { method: 'GET', routeKey: `GET /v1/${m[1]}/{token}`, path, token: m[2]! };
}

async function call(handler: Http, method: string, routeKey: string, path: string, opts: { body?: string; headers?: Record<string, string>; params?: Record<string, string>; query?: Record<string, string> } = {}) {
  const event = apiEvent({ method, path, ...(opts.body !== undefined ? { body: opts.body } : {}), headers: opts.headers ?? {}, ...(opts.query ? { query: opts.query } : {}) });
  event.routeKey = routeKey;
  if (opts.params) event.pathParameters = opts.params;
  return handler(event, context);
}

const get = (url: string, headers: Record<string, string> = {}) => {
  const r = routeOf(url);
  return call(links, 'GET', r.routeKey, r.path, { params: { token: r.token }, headers });
};
const post = (url: string, body: string, contentType = 'application/x-www-form-urlencoded') => {
  const r = routeOf(url);
  return call(links, 'POST', `POST /v1/u/{token}`, r.path, {
    params: { token: r.token },
    body,
    headers: { 'content-type': contentType },
  });
};
/** RFC 8058 section 8.3's one-click request body, byte for byte as the RFC prints it (Content-Length: 124). */
const rfc8058Body = ['---FormBoundaryjWmhtjORrn', 'Content-Disposition: form-data; name="List-Unsubscribe"', '', 'One-Click', '---FormBoundaryjWmhtjORrn--'].join('\r\n');

async function mailTo(name: string, key: string, extra: Record<string, unknown> = {}) {
  const email = `${name}@example.com`;
  await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: `p_${name}`, email, timezone: zoneAtLocalHour(12), traits: { firstName: name }, ...extra });
  const result = await send({ profileId: `p_${name}`, templateId: 'newsletter', idempotencyKey: key, category: 'marketing' });
  const mails = await inboxOf(aws.emulators.endpoints.ses, email);
  return { result, mail: mails.at(-1), profileId: `p_${name}`, email };
}

const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
/** The mail's hidden honeypot link (an anchor no person sees), and its tracked links a person can click. */
const honeypotOf = (html: string) => /<a aria-hidden="true"[^>]*href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
const trackedOf = (html: string) => hrefs(html).filter((h) => h.startsWith(`${api}/v1/t/c/`) && h !== honeypotOf(html));
const chrome = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const inboxOrigin = 'http://127.0.0.1:4775';
/** Moves a send's time (and honeypot hit) back by `ms`, as if the mail had gone out that long ago. */
async function backdate(profileId: string, sendId: string, ms: number, field: 'sentAt' | 'honeypotAt' = 'sentAt') {
  await aws.doc.send(
    new UpdateCommand({
      TableName: aws.env.TABLE_NAME,
      Key: { pk: `p#${profileId}`, sk: `send#${sendId}` },
      UpdateExpression: 'SET #f = :t',
      ExpressionAttributeNames: { '#f': field },
      ExpressionAttributeValues: { ':t': new Date(Date.now() - ms).toISOString() },
    }),
  );
}
const sendIdOf = (result: SendResult) => (result as { sendId: string }).sendId;
/** The latest stream event named `name` of a profile. */
const latest = async (name: string, profileId: string) =>
  (await stream()).filter((r) => r.data.event === name && (r.data.nurture as { profileId: string }).profileId === profileId).at(-1)?.data;
const unsubscribeUrl = (mail: { headers?: { name: string; value: string }[] }) =>
  /^<(.+)>$/.exec(mail.headers!.find((h) => h.name === 'List-Unsubscribe')!.value)![1]!;
const profileItem = async (profileId: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${profileId}`, sk: 'profile' } }))).Item!;
const stream = () => readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);

beforeAll(async () => {
  aws = await startTestAws({
    SENDER_ADDRESS: 'news@acme.example',
    PUBLIC_API_URL: api,
    LINK_SECRET: 'links-test-secret-0123456789abcdef0123456789',
    SEND_CAPS: JSON.stringify({ marketing: { perDay: 50, perWeek: 50 } }),
    QUIET_HOURS: 'off',
    LOCAL_INBOX_ORIGINS: inboxOrigin,
  });
  const s3 = s3Client();
  await putTemplate(s3, aws.env.CONTENT_BUCKET!, 'newsletter.liquid', newsletter);
  expect((await checkStoredTemplate(new S3TemplateStore(s3, aws.env.CONTENT_BUCKET!), 'templates/newsletter.liquid'))?.ok).toBe(true);
  send = asFunction('send', ((await import('../../../functions/sending/send.js')) as unknown as { handler: typeof send }).handler);
  links = asFunction('mailLinks', ((await import('../../../functions/sending/links.js')) as unknown as { handler: Http }).handler);
  admin = asFunction('sendingAdmin', ((await import('../../../functions/sending/admin.js')) as unknown as { handler: Http }).handler);
  sesEvents = asFunction('sesEvents', ((await import('../../../functions/sending/ses-events.js')) as unknown as { handler: typeof sesEvents }).handler);
});
afterAll(async () => aws?.stop());

describe('unsubscribe', () => {
  it('shows a page on GET without changing anything, then one-click POST stops all marketing mail', async () => {
    const { mail, profileId, email } = await mailTo('uma', 'u-1');
    const url = unsubscribeUrl(mail!);
    expect(hrefs(mail!.body.html!)).toContain(url);

    const page = await get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Unsubscribe from “newsletter” email');
    expect((await profileItem(profileId)).consent).toBeUndefined();

    const done = await post(url, 'List-Unsubscribe=One-Click');
    expect(done.statusCode).toBe(200);
    expect((await profileItem(profileId)).consent).toMatchObject({ status: 'revoked', source: 'list-unsubscribe-one-click' });

    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 'u-2', category: 'marketing' })).toMatchObject({
      status: 'skipped',
      reason: 'unsubscribed',
    });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
  });

  it('is idempotent: a second one-click keeps the first decision and its time', async () => {
    const { mail, profileId } = await mailTo('ula', 'ula-1');
    const url = unsubscribeUrl(mail!);
    await post(url, 'List-Unsubscribe=One-Click');
    const first = (await profileItem(profileId)).consent;
    await post(url, 'List-Unsubscribe=One-Click');
    expect((await profileItem(profileId)).consent).toEqual(first);
    const unsubscribes = (await stream()).filter((r) => r.data.event === 'Unsubscribed' && (r.data.nurture as { profileId: string }).profileId === profileId);
    expect(new Set(unsubscribes.map((r) => r.data.messageId)).size).toBe(1);
  });

  it('unsubscribes on the RFC 8058 one-click POST as multipart/form-data, as the RFC example sends it, with no cookie', async () => {
    const { mail, profileId, email } = await mailTo('mia', 'm-1');
    const url = unsubscribeUrl(mail!);
    expect(Buffer.byteLength(rfc8058Body)).toBe(124);

    // As printed (boundary=---Form…), and as erratum 5117 corrects the boundary parameter (-Form…).
    const printed = await post(url, rfc8058Body, 'multipart/form-data; boundary=---FormBoundaryjWmhtjORrn');
    expect(printed.statusCode).toBe(200);
    expect(printed.body).toContain('You are unsubscribed');
    const consent = (await profileItem(profileId)).consent;
    expect(consent).toMatchObject({ status: 'revoked', source: 'list-unsubscribe-one-click' });
    const corrected = await post(url, rfc8058Body, 'multipart/form-data; boundary=-FormBoundaryjWmhtjORrn');
    expect(corrected.statusCode).toBe(200);
    expect((await profileItem(profileId)).consent).toEqual(consent);
    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 'm-2', category: 'marketing' })).toMatchObject({ reason: 'unsubscribed' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
  });

  it('unsubscribes on a multipart one-click as an HTTP client builds it from a form', async () => {
    const { mail, profileId } = await mailTo('max', 'mx-1');
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const request = new Request('https://mail-client.example/', { method: 'POST', body: form });
    const res = await post(unsubscribeUrl(mail!), await request.text(), request.headers.get('content-type')!);
    expect(res.statusCode).toBe(200);
    expect((await profileItem(profileId)).consent).toMatchObject({ status: 'revoked', source: 'list-unsubscribe-one-click' });
  });

  it('refuses an unsubscribe body over its size limit with 413 naming the body, changing nothing', async () => {
    const { mail, profileId } = await mailTo('bea', 'bb-1');
    const res = await post(unsubscribeUrl(mail!), `List-Unsubscribe=One-Click&pad=${'x'.repeat(9000)}`);
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body!)).toMatchObject({ success: false, field: 'body' });
    expect((await profileItem(profileId)).consent).toBeUndefined();
  });

  it('can stop one topic only: other topics still arrive', async () => {
    const { mail, profileId, email } = await mailTo('tom', 't-1');
    expect((await post(unsubscribeUrl(mail!), 'scope=topic')).statusCode).toBe(200);
    expect((await profileItem(profileId)).subscriptions).toEqual({ newsletter: false });

    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 't-2', category: 'marketing' })).toMatchObject({
      reason: 'topic-unsubscribed',
    });
    await putTemplate(s3Client(), aws.env.CONTENT_BUCKET!, 'offers.liquid', newsletter.replace('topic: newsletter', 'topic: offers'));
    await checkStoredTemplate(new S3TemplateStore(s3Client(), aws.env.CONTENT_BUCKET!), 'templates/offers.liquid');
    expect(await send({ profileId, templateId: 'offers', idempotencyKey: 't-3', category: 'marketing' })).toMatchObject({ status: 'sent' });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(2);
  });

  it('refuses a forged token and a bad scope with a clear error, changing nothing', async () => {
    const { mail, profileId } = await mailTo('fox', 'f-1');
    const url = unsubscribeUrl(mail!);
    const forged = `${url.slice(0, -3)}xyz`;
    const res = await post(forged, 'List-Unsubscribe=One-Click');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!)).toMatchObject({ success: false, field: 'token' });
    const bad = await post(url, 'scope=everything');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!)).toMatchObject({ field: 'scope' });
    expect((await profileItem(profileId)).consent).toBeUndefined();
  });
});

describe('tracked links and opens', () => {
  it('redirects a genuine click to its target and feeds "Email Link Clicked" with the profile into the stream', async () => {
    const { mail, profileId, result } = await mailTo('cal', 'c-1');
    const [tracked] = trackedOf(mail!.body.html!);
    // A person reads the mail a minute after it went out.
    await backdate(profileId, sendIdOf(result), 60_000);

    const res = await get(tracked!, { 'user-agent': chrome });

    expect(res.statusCode).toBe(302);
    expect(res.headers?.location).toBe('https://shop.example.com/sale?id=7');
    const events = (await stream()).filter((r) => r.data.event === 'Email Link Clicked');
    expect(events.at(-1)).toMatchObject({
      partitionKey: profileId,
      data: {
        type: 'track',
        nurture: { profileId, bot: false },
        properties: { templateId: 'newsletter', sendId: (result as { sendId: string }).sendId, url: 'https://shop.example.com/sale?id=7', category: 'marketing' },
      },
    });
    expect((events.at(-1)!.data.properties as Record<string, unknown>).machine).toBeUndefined();
  });

  it('refuses a click whose target was swapped, and never redirects', async () => {
    const { mail } = await mailTo('eve', 'e-1');
    const tracked = trackedOf(mail!.body.html!)[0]!;
    const token = tracked.slice(tracked.lastIndexOf('/') + 1);
    const [payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const swapped = `${Buffer.from(JSON.stringify({ ...claims, u: 'https://evil.example.net/login' })).toString('base64url')}.${mac}`;
    const before = (await stream()).length;

    for (const bad of [swapped, `${payload}.AAAAAAAAAAAAAAAAAAAAAA`, 'not-a-token']) {
      const res = await get(`${api}/v1/t/c/${bad}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers?.location).toBeUndefined();
      expect(JSON.parse(res.body!)).toMatchObject({ success: false, field: 'token' });
    }
    // An open token is not a click token.
    const pixel = mail!.body.html!.match(/<img src="([^"]+)"/)![1]!;
    expect((await get(`${api}/v1/t/c/${pixel.slice(pixel.lastIndexOf('/') + 1)}`)).statusCode).toBe(400);
    expect((await stream()).length).toBe(before);
  });

  it('answers the open pixel with a GIF and feeds one "Email Opened" per send and minute', async () => {
    const { mail, profileId } = await mailTo('opa', 'o-1');
    const pixel = mail!.body.html!.match(/<img src="([^"]+)"/)![1]!;

    const res = await get(pixel);
    await get(pixel);

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('image/gif');
    const opens = (await stream()).filter((r) => r.data.event === 'Email Opened' && (r.data.nurture as { profileId: string }).profileId === profileId);
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(new Set(opens.map((r) => r.data.messageId)).size).toBe(1);
  });

  it('shows the mail in the browser from its view link', async () => {
    const { mail } = await mailTo('vic', 'v-1');
    const view = hrefs(mail!.body.html!).find((h) => h.startsWith(`${api}/v1/v/`))!;
    const res = await get(view);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toContain('text/html');
    expect(res.body).toContain('Hello vic');
  });
});

describe('opens and clicks no person made', () => {
  it('marks a click within seconds of the send as a scanner’s, redirecting it all the same', async () => {
    const { mail, profileId, result } = await mailTo('sid', 'sc-1');
    const [tracked] = trackedOf(mail!.body.html!);

    const scan = await get(tracked!, { 'user-agent': chrome });

    expect(scan.statusCode).toBe(302);
    expect(scan.headers?.location).toBe('https://shop.example.com/sale?id=7');
    expect(await latest('Email Link Clicked', profileId)).toMatchObject({
      properties: { machine: true, machineReason: 'too-fast', sendId: sendIdOf(result) },
      nurture: { bot: true, profileId },
    });
    // The person's own click, later, counts.
    await backdate(profileId, sendIdOf(result), 60_000);
    await get(tracked!, { 'user-agent': chrome });
    expect(await latest('Email Link Clicked', profileId)).toMatchObject({ nurture: { bot: false } });
  });

  it('hides a honeypot link in marketing mail; following it marks that send’s clicks soon after as a scanner’s', async () => {
    const { mail, profileId, result } = await mailTo('hana', 'hp-1');
    const html = mail!.body.html!;
    const honeypot = honeypotOf(html)!;
    expect(honeypot.startsWith(`${api}/v1/t/c/`)).toBe(true);
    expect(html).toMatch(/<a aria-hidden="true" tabindex="-1" style="display:none;mso-hide:all" href="[^"]+"><\/a>/);
    expect(mail!.body.text).not.toContain('/v1/t/c/');
    await backdate(profileId, sendIdOf(result), 60_000);

    // A scanner follows every link, the hidden one too: it sees what a person would (a redirect).
    const followed = await get(honeypot, { 'user-agent': chrome });
    expect(followed.statusCode).toBe(302);
    expect(followed.headers?.location).toMatch(new RegExp(`^${api}/v1/v/`));
    const hit = await latest('Email Link Clicked', profileId);
    expect(hit).toMatchObject({ properties: { machine: true, machineReason: 'honeypot' }, nurture: { bot: true } });
    expect(hit!.properties).not.toHaveProperty('url');
    const [tracked] = trackedOf(html);
    expect((await get(tracked!, { 'user-agent': chrome })).statusCode).toBe(302);
    expect(await latest('Email Link Clicked', profileId)).toMatchObject({
      properties: { machine: true, machineReason: 'honeypot', url: 'https://shop.example.com/sale?id=7' },
    });

    // Once the window after the scan has passed, a click is a person's again.
    await backdate(profileId, sendIdOf(result), 5 * 60_000, 'honeypotAt');
    await get(tracked!, { 'user-agent': chrome });
    expect((await latest('Email Link Clicked', profileId))?.properties).not.toHaveProperty('machine');
  });

  it('marks opens by mail image proxies and scanners, answering them the same GIF', async () => {
    const { mail, profileId } = await mailTo('pia', 'px-1');
    const pixel = mail!.body.html!.match(/<img src="([^"]+)"/)![1]!;
    const agents = {
      proxy: ['Mozilla/5.0'],
      scanner: ['Barracuda Sentinel (EE)'],
    };
    for (const [reason, list] of Object.entries(agents)) {
      for (const agent of list) {
        const res = await get(pixel, { 'user-agent': agent });
        expect(res.statusCode).toBe(200);
        expect(res.headers?.['content-type']).toBe('image/gif');
        expect(await latest('Email Opened', profileId)).toMatchObject({ properties: { machine: true, machineReason: reason }, nurture: { bot: true } });
      }
    }
    // Gmail's proxy fetches when the person opens the mail: a person's open, though isbot calls it a bot.
    await get(pixel, { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' });
    const gmail = await latest('Email Opened', profileId);
    expect(gmail?.properties).not.toHaveProperty('machine');
    expect(gmail).toMatchObject({ nurture: { bot: false } });
  });

  it('marks the local inbox page’s image loads and link fetches, but not a person clicking a link there', async () => {
    const { mail, profileId, result } = await mailTo('ines', 'in-1');
    const html = mail!.body.html!;
    const pixel = html.match(/<img src="([^"]+)"/)![1]!;
    const fromInbox = { 'user-agent': chrome, referer: `${inboxOrigin}/`, 'sec-fetch-site': 'same-site' };

    // The headers Chromium sends for the pixel in the inbox page's about:blank mail frames: no Referer.
    const imageLoad = { 'user-agent': chrome, 'sec-fetch-dest': 'image', 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'same-site' };
    expect((await get(pixel, imageLoad)).statusCode).toBe(200);
    expect(await latest('Email Opened', profileId)).toMatchObject({ properties: { machine: true, machineReason: 'local-inbox' } });

    await backdate(profileId, sendIdOf(result), 60_000);
    const [tracked] = trackedOf(html);
    await get(tracked!, fromInbox);
    expect(await latest('Email Link Clicked', profileId)).toMatchObject({ properties: { machine: true, machineReason: 'local-inbox' } });
    const person = await get(tracked!, { ...fromInbox, 'sec-fetch-dest': 'iframe', 'sec-fetch-mode': 'navigate', 'sec-fetch-user': '?1' });
    expect(person.statusCode).toBe(302);
    expect(await latest('Email Link Clicked', profileId)).toMatchObject({ nurture: { bot: false } });
  });
});

describe('suppression', () => {
  const bounce = (email: string, profileId: string, type = 'Permanent') =>
    ({
      version: '0',
      id: 'evt-1',
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      account: '123456789012',
      time: '2026-01-10T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        eventType: 'Bounce',
        mail: { messageId: 'm-1', tags: { profileId: [profileId], 'ses:configuration-set': ['nurture'] } },
        bounce: { bounceType: type, bounceSubType: 'General', feedbackId: 'fb-1', bouncedRecipients: [{ emailAddress: email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
      },
    }) as EventBridgeEvent<string, unknown>;

  const adminCall = (method: string, routeKey: string, path: string, opts: Parameters<typeof call>[4] = {}) => call(admin, method, routeKey, path, opts);

  it('suppresses a hard-bounced address at once, for every kind of mail, and a replay changes nothing', async () => {
    const { profileId, email } = await mailTo('bob', 'b-1');
    await sesEvents(bounce(email, profileId));
    const item = async () =>
      (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `sup#email#${email}`, sk: 'sup' } }))).Item;
    const first = await item();
    await sesEvents({ ...bounce(email, profileId), time: '2026-01-11T10:00:00Z' });

    expect(await item()).toEqual(first);
    expect(first).toMatchObject({ reason: 'bounce', source: 'ses:fb-1', at: '2026-01-10T10:00:00.000Z' });
    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 'b-2', category: 'marketing' })).toMatchObject({
      reason: 'suppressed-bounce',
    });
    expect(await inboxOf(aws.emulators.endpoints.ses, email)).toHaveLength(1);
  });

  it('ignores soft bounces', async () => {
    const { profileId, email } = await mailTo('sol', 's-1');
    await sesEvents(bounce(email, profileId, 'Transient'));
    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 's-2', category: 'marketing' })).toMatchObject({ status: 'sent' });
  });

  it('suppresses on a complaint and revokes the profile’s consent', async () => {
    const { profileId, email } = await mailTo('cora', 'co-1');
    await sesEvents({
      ...bounce(email, profileId),
      'detail-type': 'Email Complaint Received',
      detail: { eventType: 'Complaint', mail: { tags: { profileId: [profileId] } }, complaint: { feedbackId: 'fb-c', complainedRecipients: [{ emailAddress: email }] } },
    });
    expect((await profileItem(profileId)).consent).toMatchObject({ status: 'revoked', source: 'ses-complaint' });
    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 'co-2', category: 'marketing' })).toMatchObject({
      status: 'skipped',
    });
  });

  it('lets an operator list, add and lift suppressions', async () => {
    const { profileId, email } = await mailTo('liz', 'l-1');
    await sesEvents(bounce(email, profileId));

    const listed = await adminCall('GET', 'GET /v1/admin/suppressions', '/v1/admin/suppressions', { query: { limit: '100' } });
    expect(listed.statusCode).toBe(200);
    expect((JSON.parse(listed.body!) as { items: { email: string }[] }).items.map((i) => i.email)).toContain(email);

    const added = await adminCall('POST', 'POST /v1/admin/suppressions', '/v1/admin/suppressions', { body: JSON.stringify({ email: 'Stop.Me@Example.com', detail: 'asked by phone' }) });
    expect(added.statusCode).toBe(201);
    const again = await adminCall('POST', 'POST /v1/admin/suppressions', '/v1/admin/suppressions', { body: JSON.stringify({ email: 'stop.me@example.com' }) });
    expect(JSON.parse(again.body!)).toMatchObject({ created: false });

    const lifted = await adminCall('DELETE', 'DELETE /v1/admin/suppressions/{email}', `/v1/admin/suppressions/${email}`, { params: { email } });
    expect(lifted.statusCode).toBe(200);
    expect(await send({ profileId, templateId: 'newsletter', idempotencyKey: 'l-2', category: 'marketing' })).toMatchObject({ status: 'sent' });
    const missing = await adminCall('DELETE', 'DELETE /v1/admin/suppressions/{email}', `/v1/admin/suppressions/${email}`, { params: { email } });
    expect(missing.statusCode).toBe(404);
  });

  it('answers bad operator input with 400 naming the field', async () => {
    const bad = await adminCall('POST', 'POST /v1/admin/suppressions', '/v1/admin/suppressions', { body: JSON.stringify({ email: 'nope' }) });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!)).toMatchObject({ field: 'email' });
    const limit = await adminCall('GET', 'GET /v1/admin/suppressions', '/v1/admin/suppressions', { query: { limit: '5000' } });
    expect(JSON.parse(limit.body!)).toMatchObject({ field: 'limit' });
    // A garbled cursor, and one DynamoDB refuses as a start key of the list's index.
    for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify({ pk: 1 })).toString('base64url')]) {
      const page = await adminCall('GET', 'GET /v1/admin/suppressions', '/v1/admin/suppressions', { query: { cursor } });
      expect(page.statusCode).toBe(400);
      expect(JSON.parse(page.body!)).toMatchObject({ field: 'cursor' });
    }
    const consent = await adminCall('POST', 'POST /v1/admin/profiles/{id}/consent', '/v1/admin/profiles/p_x/consent', {
      params: { id: 'p_x' },
      body: JSON.stringify({ status: 'maybe', source: 'form' }),
    });
    expect(JSON.parse(consent.body!)).toMatchObject({ field: 'status' });
  });

  it('records consent with its source and time for opt-in sending', async () => {
    await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: 'p_opt', email: 'opt@example.com' });
    const res = await adminCall('POST', 'POST /v1/admin/profiles/{id}/consent', '/v1/admin/profiles/p_opt/consent', {
      params: { id: 'p_opt' },
      body: JSON.stringify({ status: 'granted', source: 'signup form, double opt-in' }),
    });
    expect(res.statusCode).toBe(200);
    expect((await profileItem('p_opt')).consent).toMatchObject({ status: 'granted', source: 'signup form, double opt-in', at: expect.any(String) });
  });

  it('shows the marketer a template’s check report', async () => {
    const res = await adminCall('GET', 'GET /v1/admin/templates/{id}', '/v1/admin/templates/newsletter', { params: { id: 'newsletter' } });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ report: { ok: true, templateId: 'newsletter', preview: { subject: 'News for Alex' } } });
  });
});
