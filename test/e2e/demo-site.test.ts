import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';
import { sendContactForm } from '../helpers/contact-form.js';
import { readStream, type StreamRecord } from '../helpers/local-aws.js';

let local: LocalNurture;
let browser: Browser;

beforeAll(async () => {
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

async function waitForRecords(predicate: (records: StreamRecord[]) => boolean, timeoutMs = 15_000): Promise<StreamRecord[]> {
  const { endpoints, region, credentials } = local.emulators;
  const kinesis = new KinesisClient({ endpoint: endpoints.kinesis, region, credentials, requestHandler: new NodeHttpHandler() });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const records = await readStream(kinesis, local.env.EVENTS_STREAM_NAME!);
      if (predicate(records) || Date.now() > deadline) return records;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    kinesis.destroy();
  }
}

describe('demo site with the tracker, as a visitor uses it', () => {
  it('records page views, heartbeats and the embedded contact form\'s identify under one anonymous id', async () => {
    // Headless Chromium says "HeadlessChrome" and is rightly flagged as a bot: present as a person's Chrome.
    const page = await browser.newPage({ userAgent: browserUserAgent });
    // Heartbeats every second instead of every 15 s, so the test need not wait minutes.
    await page.addInitScript(() => {
      const w = window as unknown as { nurture: ((...a: unknown[]) => void) & { q?: unknown[][] } };
      w.nurture = function nurture(...args: unknown[]) {
        if (args[0] === 'init') args[1] = { ...(args[1] as object), pingInterval: 1000 };
        (w.nurture.q = w.nurture.q ?? []).push(args);
      };
    });
    await page.goto(local.siteUrl);
    await page.click('a[href$="products.html"]');
    await page.waitForURL(/products\.html$/);
    await page.click('a[href$="pricing.html"]');
    await page.waitForURL(/pricing\.html$/);
    // Stay active on the pricing page for a few heartbeats.
    for (let i = 0; i < 4; i++) {
      await page.mouse.move(100 + i * 10, 100);
      await page.waitForTimeout(700);
    }
    await page.click('a[href$="contact.html"]');
    await page.waitForURL(/contact\.html$/);
    // The contact form is Nurture's embeddable form (forms/contact.yaml), rendered by nurture-forms.min.js.
    await sendContactForm(page, { name: 'Kim Tanaka', email: 'Kim.Tanaka@Example.com', company: 'Tanaka Trading', message: 'Please call me about pricing.' });

    const records = await waitForRecords((rs) => rs.some((r) => r.data.type === 'identify') && rs.some((r) => r.data.event === 'Form Submitted'));
    const anonymousIds = new Set(records.map((r) => r.data.anonymousId));
    expect(anonymousIds.size).toBe(1);
    const paths = records.filter((r) => r.data.type === 'page').map((r) => (r.data.context as { page: { path: string } }).page.path);
    expect(paths).toEqual(['/', '/products.html', '/pricing.html', '/contact.html']);
    const pings = records.filter((r) => r.data.event === 'Page Ping');
    expect(pings.length).toBeGreaterThanOrEqual(1);
    // Heartbeats come from the page the visitor stayed on (on a slow machine the products page, visible for
    // over a second after its click, may send one too), and only from pages of this visit.
    const pingPaths = pings.map((p) => (p.data.properties as { path: string }).path);
    expect(pingPaths).toContain('/pricing.html');
    expect(pingPaths.every((path) => paths.includes(path))).toBe(true);
    const identify = records.find((r) => r.data.type === 'identify')!;
    // The forms function stores the address normalized, as identity keys it.
    expect(identify.data.traits).toMatchObject({ email: 'kim.tanaka@example.com', company: 'Tanaka Trading' });
    expect(identify.data.nurture).toMatchObject({ bot: false, ua: { browser: expect.stringMatching(/Chrom/) } });

    // The identity link is readable right after the submit: who is this visitor now?
    const { endpoints, region, credentials } = local.emulators;
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }));
    const link = await doc.send(
      new GetCommand({ TableName: local.env.TABLE_NAME, Key: { pk: 'id#email#kim.tanaka@example.com', sk: 'link' } }),
    );
    doc.destroy();
    expect(link.Item?.profileId).toBe((identify.data.nurture as { profileId: string }).profileId);

    // The anonymous id lives in a first-party cookie.
    const cookies = await page.context().cookies();
    const aid = cookies.find((c) => c.name === 'nurture_aid');
    expect(aid?.value).toBe([...anonymousIds][0]);
    expect(aid?.sameSite).toBe('Lax');
    await page.close();
  });
});
