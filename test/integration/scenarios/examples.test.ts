import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffDetailType } from '../../../functions/scenarios/domain/contract.js';
import { readStream } from '../../helpers/local-aws.js';
import { inboxOf, putProfile } from '../../helpers/sending.js';
import { closed, executionFor, executionsOf, itemOf, publishActivity, publishStageChange, type ScenarioLocal, startScenarioLocal, statesEntered } from '../../helpers/scenarios.js';

// One simulated week per real second: the longest example (two one-week waits) runs in about 2 s.
const week = 7 * 86_400;
let s: ScenarioLocal;

beforeAll(async () => {
  // Send caps count real days while the journeys' waits are scaled: a week passes here in a second, so
  // the default one-marketing-mail-a-day cap would hold back every second mail (caps are tested apart).
  s = await startScenarioLocal({ timeScale: week, env: { NURTURE_SEND_CAPS: JSON.stringify({ marketing: { perDay: 50, perWeek: 50 } }) } });
});
afterAll(async () => s?.stop());

const inbox = (email: string) => inboxOf(s.local.emulators.endpoints.ses, email);
const subjects = async (email: string) => (await inbox(email)).map((m) => m.subject);
const person = async (name: string, extra: Record<string, unknown> = {}) => {
  const profileId = `p_${name}`;
  const email = `${name}@example.com`;
  await putProfile(s.doc, s.table, { profileId, email, traits: { firstName: name }, ...extra });
  return { profileId, email };
};
const handoffsFor = (profileId: string) =>
  s.local.bus.history.filter((e) => e['detail-type'] === handoffDetailType && e.detail.profileId === profileId);

describe('example scenarios, end to end in local mode with scaled time', () => {
  it('first-purchase-coupon: mails the coupon after the wait, marks the profile, and never enrolls twice', async () => {
    const { profileId, email } = await person('ada');
    await publishActivity(s, profileId, 'Order Completed', 'order-1', { total: 120 });
    const arn = await executionFor(s, 'first-purchase-coupon', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');

    expect(await subjects(email)).toEqual(['ada, 15% off your next order']);
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ firstPurchaseCouponSent: true });
    expect(await statesEntered(s, arn)).toEqual(['settle-in', 'morning.at', 'morning', 'send-coupon', 'send-coupon.status', 'mark-coupon-sent']);

    // A second order is not a first purchase: re-entry "never" keeps the journey to one run.
    await publishActivity(s, profileId, 'Order Completed', 'order-2', { total: 80 });
    expect((await executionsOf(s, 'first-purchase-coupon')).filter((e) => e.name?.startsWith(`${profileId}-`))).toHaveLength(1);
    expect(await inbox(email)).toHaveLength(1);
  });

  it('cart-reminder: without a click the reminder is followed by a last call', async () => {
    const { profileId, email } = await person('bert');
    await publishActivity(s, profileId, 'Checkout Started', 'checkout-1');
    const arn = await executionFor(s, 'cart-reminder', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(await subjects(email)).toEqual(['You left something in your cart', 'Last call: your cart expires soon']);
    expect(await statesEntered(s, arn)).toContain('send-last-call');
    expect(await statesEntered(s, arn)).not.toContain('clicked');
  });

  it('brochure-nurture: delivers the brochure, nurtures, and hands a hot lead to sales', async () => {
    const { profileId, email } = await person('cleo', { score: { value: 64, asOf: new Date().toISOString(), fit: 0, categories: {} } });
    await publishActivity(s, profileId, 'Form Submitted', 'form-1', { formId: 'brochure' });
    const arn = await executionFor(s, 'brochure-nurture', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');

    // No open within five days: the pricing guide follows the case study.
    expect(await subjects(email)).toEqual([
      'Your Acme Analytics brochure',
      'How Northwind cut reporting time by 60%',
      'Which Acme Analytics plan fits your team?',
    ]);
    expect(handoffsFor(profileId)).toHaveLength(1);
    expect(handoffsFor(profileId)[0]?.detail).toMatchObject({ scenarioId: 'brochure-nurture', stepId: 'notify-sales' });
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ nurtureOutcome: 'handed-to-sales' });
  });

  it('brochure-nurture: a lead that is not hot is not handed over', async () => {
    const { profileId } = await person('dora');
    await publishActivity(s, profileId, 'Form Submitted', 'form-2', { formId: 'brochure' });
    expect((await closed(s, await executionFor(s, 'brochure-nurture', profileId))).status).toBe('SUCCEEDED');
    expect(handoffsFor(profileId)).toHaveLength(0);
  });

  it('pricing-no-inquiry: repeated pricing visits without a form notify sales and add points through the stream', async () => {
    const now = Date.now();
    const visit = (minutesAgo: number, id: string) => ({ id, t: new Date(now - minutesAgo * 60_000).toISOString(), type: 'page', path: '/pricing' });
    const { profileId } = await person('emil', { recent: [visit(90, 'v1'), visit(30, 'v2')] } as never);
    await publishActivity(s, profileId, 'Page Viewed', 'view-3', { path: '/pricing' });
    const arn = await executionFor(s, 'pricing-no-inquiry', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(handoffsFor(profileId)).toHaveLength(1);
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ pricingInterestNotified: true });
    const points = (await readStream(s.kinesis, s.local.env.EVENTS_STREAM_NAME!)).filter(
      (r) => r.data.event === 'Scenario Points Added' && (r.data.nurture as { profileId?: string }).profileId === profileId,
    );
    expect(points.map((r) => (r.data.properties as { points: number }).points)).toEqual([10]);
  });

  it('pricing-no-inquiry: an anonymous visitor is not enrolled (trigger.who)', async () => {
    const { profileId } = await person('finn', { known: false, stage: 'anonymous' });
    await publishActivity(s, profileId, 'Page Viewed', 'view-4', { path: '/pricing' });
    expect((await executionsOf(s, 'pricing-no-inquiry')).filter((e) => e.name?.startsWith(`${profileId}-`))).toHaveLength(0);
  });

  it('dormant-reengagement: we-miss-you, then a last chance, then marked unengaged when nothing is opened', async () => {
    const { profileId, email } = await person('gus', { timezone: 'Europe/Berlin', stage: 'dormant' });
    await publishStageChange(s, profileId, 'customer', 'dormant', 'dormant-1');
    const arn = await executionFor(s, 'dormant-reengagement', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(await subjects(email)).toEqual(['gus, a lot has changed since your last visit', 'Should we stop writing?']);
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ unengaged: true });
    expect((await itemOf(s, `p#${profileId}`, 'exec#dormant-reengagement'))?.status).toBe('succeeded');
  });
});
