import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { tooFastClickMs } from '../../functions/sending/domain/machine.js';
import { launchChromium } from '../helpers/browser.js';
import { sendContactForm } from '../helpers/contact-form.js';

/**
 * The whole product as a new user meets it, asserted only through the public API, the admin API and
 * the local SES inbox: browse → score → form → named lead with its history → MQL → scenario enrolls →
 * email arrives → tracked click recorded and scored → goal ends the scenario.
 */
let local: LocalNurture;
let browser: Browser;
const email = 'sam.ito@fabrikam.example';

beforeAll(async () => {
  // Quiet hours would defer the welcome mail when this runs at night in the test machine's zone.
  process.env.NURTURE_QUIET_HOURS = 'off';
  // An hour a second: the scenario's 3-day wait for a click and its week-long pause take a minute or more.
  local = await startLocal({
    ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 },
    pollIdleMs: 100,
    timeScale: 3600,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

const admin = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${local.apiUrl}${path}`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
  return (await res.json()) as T;
};
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface ProfileView {
  profile: { profileId: string; stage: string; email?: string };
  score: { total: number; byRule: { ruleId: string }[] };
  activity: { type: string; name?: string; path?: string }[];
}
interface Executions {
  executions: { name: string; profileId?: string; status: string; currentStep?: string }[];
}
interface Inbox {
  emails: { destination?: { to?: string[] }; subject?: string; body?: { html?: string }; at?: number }[];
}

describe('the whole path, as a new user meets it', () => {
  it('turns a visitor into a lead, mails them, scores their click and stops at the goal', async () => {
    const page = await browser.newPage({ userAgent: browserUserAgent });
    await page.goto(local.siteUrl);
    await page.click('a[href$="products.html"]');
    await page.click('a[href*="products/insight"]');
    await page.click('a[href$="pricing.html"]');
    await page.waitForURL(/pricing/);
    const anonymousId = (await page.context().cookies()).find((c) => c.name === 'nurture_aid')!.value;
    const anonymous = await until(() => admin<ProfileView>(`/v1/admin/profiles/anon:${anonymousId}`), (p) => (p.score?.total ?? 0) > 0, 'an anonymous score');

    await page.click('a[href$="contact.html"]');
    await page.waitForURL(/contact\.html$/);
    await sendContactForm(page, { name: 'Sam Ito', email, company: 'Fabrikam', message: 'Can we talk about Forecast?' });

    const lead = await until(() => admin<ProfileView>(`/v1/admin/profiles/email:${email}`), (p) => p.profile?.stage === 'mql', 'the lead to become MQL');
    expect(lead.profile.profileId).toBe(anonymous.profile.profileId);
    // Page views come from the event lake, written every second locally: wait for it rather than race it.
    const history = await until(() => admin<ProfileView>(`/v1/admin/profiles/email:${email}`), (p) => p.activity.some((a) => a.path === '/products/insight.html'), 'the page views in the lake');
    expect(history.activity.some((a) => a.path === '/products/insight.html')).toBe(true);

    const enrolled = await until(
      () => admin<Executions>('/v1/admin/scenarios/mql-welcome/executions'),
      (r) => r.executions?.some((e) => e.profileId === lead.profile.profileId),
      'enrollment in mql-welcome',
    );
    const execution = enrolled.executions.find((e) => e.profileId === lead.profile.profileId)!;

    const inbox = await until(
      () => fetch(`${local.inboxUrl}/store`).then((r) => r.json() as Promise<Inbox>),
      (s) => s.emails.some((m) => m.destination?.to?.some((t) => t.includes(email))),
      'the welcome mail in the SES inbox',
    );
    const mail = inbox.emails.find((m) => m.destination?.to?.some((t) => t.includes(email)))!;
    // The form sends one full-name field; the mail greets by the first name ingest derived from it.
    expect(mail.subject).toBe('Welcome to Acme Analytics, Sam');
    // The first link a reader sees (the mail's hidden honeypot link, which only scanners follow, has aria-hidden).
    const tracked = /<a href="([^"]*\/v1\/t\/c\/[^"]+)"/.exec(mail.body?.html ?? '')?.[1];
    expect(tracked, 'a tracked link in the mail').toBeTruthy();

    // A reader clicks after the journey started waiting for it (the token is stored as the wait begins).
    await until(
      () => admin<Executions>('/v1/admin/scenarios/mql-welcome/executions'),
      (r) => r.executions.some((e) => e.name === execution.name && e.currentStep === 'wait-for-click'),
      'the journey to wait for a click',
    );
    await new Promise((r) => setTimeout(r, 1000));
    // A person reads it later than a link scanner would: clicks within seconds of the send are a scanner's.
    await new Promise((r) => setTimeout(r, Math.max(0, (mail.at ?? 0) * 1000 + tooFastClickMs + 1000 - Date.now())));

    // The click, as a mail client makes it: the tracked redirect sends the reader to the real target.
    const click = await fetch(tracked!.replace(/&amp;/g, '&'), { redirect: 'manual', headers: { 'user-agent': browserUserAgent } });
    expect([301, 302, 303, 307]).toContain(click.status);
    expect(click.headers.get('location')).toBe('https://www.example.com/products');

    const clicked = await until(
      () => admin<ProfileView>(`/v1/admin/profiles/email:${email}`),
      (p) => p.activity.some((a) => a.name === 'Email Link Clicked'),
      'the click in the lead history',
    );
    expect(clicked.score.byRule.map((r) => r.ruleId)).toContain('email-link-clicked');
    expect(clicked.score.total).toBeGreaterThan(lead.score.total);

    // The click resumed the journey (tell sales), which now waits a week before the follow-up.
    await until(
      () => admin<Executions>('/v1/admin/scenarios/mql-welcome/executions'),
      (r) => r.executions.some((e) => e.name === execution.name && e.currentStep === 'a-week-later'),
      'the journey to move past the click',
    );

    // The goal: a demo booked through the public API ends the journey for this person.
    const goal = await fetch(`${local.apiUrl}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${local.secrets.writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ anonymousId, event: 'Demo Booked', properties: { slot: 'Tue 10:00' } }),
    });
    expect(goal.status).toBe(200);
    const ended = await until(
      () => admin<Executions>('/v1/admin/scenarios/mql-welcome/executions'),
      (r) => r.executions.some((e) => e.name === execution.name && e.status !== 'RUNNING'),
      'the goal to end the journey',
    );
    expect(ended.executions.find((e) => e.name === execution.name)?.status).toBe('ABORTED');
    await page.close();

    // Every function on the path made its AWS calls as its own role, and the synthesized policies allowed
    // each one (a missing grant fails here, as it would on AWS).
    const callers = new Set([...local.iam.checked.keys()].map((k) => k.split(' ')[0]));
    for (const fn of ['collect', 'process', 'enroll', 'scenarioSteps', 'send', 'mailLinks', 'adminProfiles', 'scenariosAdmin', 'scenario:mql-welcome']) {
      expect(callers, `${fn} made checked calls`).toContain(fn);
    }
    expect([...local.iam.checked.keys()]).toEqual(expect.arrayContaining(['process dynamodb:Query', 'process dynamodb:DeleteItem', 'process states:SendTaskSuccess']));
    expect(local.iam.denials).toEqual([]);
  }, 120_000);
});
