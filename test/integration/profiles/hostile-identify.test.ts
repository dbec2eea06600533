import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileItemBudgetBytes, traitBounds } from '../../../functions/profiles/domain/profile.js';
import { decayFactor } from '../../../functions/scoring/domain/decay.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { publicPath, putRules } from '../../helpers/public-path.js';

let aws: TestAws;
let bus: LocalEventBus;
let send: Awaited<ReturnType<typeof publicPath>>;

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws);
  send = await publicPath(aws);
});
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
});

const item = async (profileId: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${profileId}`, sk: 'profile' } }))).Item!;
const sizeOf = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');
const scoreOf = (p: Record<string, any>) => p.score.value * decayFactor(p.score.asOf, new Date().toISOString(), 30) + p.score.fit;

describe('a known lead under identifies from anyone with the public write key', () => {
  it('stays far below the item limit, does not climb past what one identify earns, and can still be updated', async () => {
    // The lead: identified with their user id and company (fit 5), two pricing views (16), a product page (4).
    const lead = { anonymousId: 'lead-browser' };
    const [identified] = await send('identify', { ...lead, userId: 'u-lead', traits: { email: 'lead@firm.com', company: 'Firm' } });
    const profileId = identified!.nurture.profileId!;
    for (const [i, path] of ['/pricing', '/pricing', '/products/insight'].entries()) await send('page', { ...lead, messageId: `lead-view-${i}`, context: { page: { path } } });
    const before = await item(profileId);
    expect(scoreOf(before)).toBeCloseTo(25, 0);

    // 50 identifies of 30 KB each, from 50 browsers, naming the lead's email: traits to bloat the item,
    // fit bait (title, company) and a stray "Form Submitted" event name with the contact form's id.
    const scores: number[] = [];
    for (let i = 0; i < 50; i++) {
      const padding = Object.fromEntries(Array.from({ length: 29 }, (_, j) => [`pad_${i}_${j}`, 'x'.repeat(1000)]));
      await send('identify', {
        anonymousId: `attacker-${i}`,
        event: 'Form Submitted',
        properties: { formId: 'contact' },
        traits: { email: 'lead@firm.com', company: 'Evil Corp', title: 'Director', name: 'Pwned', ...padding },
      });
      scores.push(scoreOf(await item(profileId)));
    }
    const after = await item(profileId);
    expect(sizeOf(after)).toBeLessThan(profileItemBudgetBytes);
    expect(sizeOf(after.traits)).toBeLessThanOrEqual(traitBounds.maxTotalBytes);
    // The first identify filled the blank title (decision-maker fit, +15); none of the other 49 added a point.
    expect(scores[0]! - scoreOf(before)).toBeCloseTo(15, 0);
    expect(Math.max(...scores) - scores[0]!).toBeLessThan(0.01);
    expect(after.traits).toMatchObject({ email: 'lead@firm.com', company: 'Firm' });
    expect(after.traits.name).toBe('Pwned');
    expect(after.score.rules['contact-form']).toBeUndefined();

    // The lead can still be updated: their own page views score, their own signed-in identify changes traits.
    await send('page', { ...lead, context: { page: { path: '/products/forecast' } } });
    await send('identify', { ...lead, userId: 'u-lead', traits: { company: 'Firm Holdings', name: 'Mia Chen' } });
    const updated = await item(profileId);
    expect(scoreOf(updated)).toBeGreaterThan(scoreOf(after) + 7.9);
    expect(updated.traits).toMatchObject({ company: 'Firm Holdings', name: 'Mia Chen' });
    expect(sizeOf(updated)).toBeLessThan(profileItemBudgetBytes);
  }, 120_000);

  it('stores a batch of large events of one person in several updates instead of failing it', async () => {
    const [identified] = await send('identify', { anonymousId: 'big-spender', traits: { email: 'big@firm.com' } });
    const profileId = identified!.nurture.profileId!;
    const batch = Array.from({ length: 18 }, (_, i) => ({
      type: 'track',
      anonymousId: 'big-spender',
      messageId: `order-${i}`,
      event: 'Order Completed',
      properties: { orderId: `o-${i}`, notes: 'n'.repeat(25_000) },
    }));
    await send('batch', { batch });
    await bus.drain();
    const orders = bus.history.filter((e) => e['detail-type'] === 'Order Completed' && e.detail.profileId === profileId);
    expect(orders.map((e) => (e.detail.properties as { orderId: string }).orderId).sort()).toEqual(batch.map((m) => m.properties.orderId).sort());
    const stored = await item(profileId);
    expect(stored.stage).toBe('customer');
    expect(stored.outbox).toBeUndefined();
    expect(sizeOf(stored)).toBeLessThan(profileItemBudgetBytes);
  }, 120_000);
});
