import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';
import { sendContactForm } from '../helpers/contact-form.js';

let local: LocalNurture;
let browser: Browser;

beforeAll(async () => {
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

interface ProfileView {
  profile: { profileId: string; stage: string; known: boolean; email?: string };
  score: { total: number; byRule: { ruleId: string; points: number }[] };
  activity: { type: string; path?: string; name?: string }[];
}

async function profile(id: string): Promise<ProfileView | undefined> {
  const res = await fetch(`${local.apiUrl}/v1/admin/profiles/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${local.secrets.adminToken}` },
  });
  return res.status === 200 ? ((await res.json()) as ProfileView) : undefined;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('an anonymous visitor becomes a qualified lead', () => {
  it('scores while anonymous, keeps the history when named, crosses MQL and says so', async () => {
    const page = await browser.newPage({ userAgent: browserUserAgent });
    await page.goto(local.siteUrl);
    await page.click('a[href$="products.html"]');
    await page.click('a[href*="products/insight"]');
    await page.waitForURL(/insight/);
    await page.click('a[href$="pricing.html"]');
    await page.waitForURL(/pricing/);
    const anonymousId = (await page.context().cookies()).find((c) => c.name === 'nurture_aid')!.value;

    const anonymous = await until(() => profile(`anon:${anonymousId}`), (p) => (p?.score.total ?? 0) >= 13);
    expect(anonymous?.profile.stage).toBe('anonymous');
    expect(anonymous?.score.byRule.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['pricing-page', 'product-pages']));

    await page.click('a[href$="contact.html"]');
    await page.waitForURL(/contact\.html$/);
    await sendContactForm(page, { name: 'Mia Chen', email: 'mia.chen@northwind.example', company: 'Northwind', message: 'We would like a demo.' });

    const named = await until(() => profile('email:mia.chen@northwind.example'), (p) => p?.profile.stage === 'mql');
    expect(named?.profile).toMatchObject({ profileId: anonymous!.profile.profileId, known: true, stage: 'mql', email: 'mia.chen@northwind.example' });
    expect(named!.score.total).toBeGreaterThan(anonymous!.score.total);
    // The anonymous browsing is part of the named lead's history. Page views are read from the event lake,
    // which local mode writes every second (on AWS, Firehose's buffer): the last one may still be on its way.
    const pages = ['/', '/products.html', '/products/insight.html', '/pricing.html', '/contact.html'];
    const pathsOf = (p: Awaited<ReturnType<typeof profile>>) => (p?.activity ?? []).filter((a) => a.type === 'page').map((a) => a.path);
    const history = await until(() => profile('email:mia.chen@northwind.example'), (p) => pages.every((path) => pathsOf(p).includes(path)));
    expect(pathsOf(history)).toEqual(expect.arrayContaining(pages));

    const leads = (await (await fetch(`${local.apiUrl}/v1/admin/leads?stage=mql`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } })).json()) as {
      leads: { profileId: string }[];
    };
    expect(leads.leads[0]?.profileId).toBe(named!.profile.profileId);

    await local.bus.drain();
    const changes = local.bus.history.filter((e) => e['detail-type'] === 'lead.stage_changed' && e.detail.profileId === named!.profile.profileId);
    expect(changes.map((e) => e.detail.to)).toEqual(['known', 'mql']);
    await page.close();
  });

  it('keeps the admin API closed without the admin token', async () => {
    expect((await fetch(`${local.apiUrl}/v1/admin/leads`)).status).toBe(401);
    expect((await fetch(`${local.apiUrl}/v1/admin/leads`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
  });
});
