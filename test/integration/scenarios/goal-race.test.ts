import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScenarioLocal, type ScenarioLocal } from '../../helpers/scenarios.js';

let s: ScenarioLocal;
beforeAll(async () => {
  s = await startScenarioLocal({ timeScale: 86_400 });
});
afterAll(async () => s?.stop());

const post = (body: unknown) =>
  fetch(`${s.local.apiUrl}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${s.local.secrets.writeKey}:`).toString('base64')}` },
    body: JSON.stringify(body),
  });

async function executionsOf(scenario: string) {
  const res = await fetch(`${s.local.apiUrl}/v1/admin/scenarios/${scenario}/executions`, {
    headers: { authorization: `Bearer ${s.local.secrets.adminToken}` },
  });
  return ((await res.json()) as { executions: { profileId?: string }[] }).executions;
}

describe('a trigger and its goal in one burst', () => {
  it('does not start the cart reminder for a buyer who completed the order right after checking out', async () => {
    const t = Date.now();
    const at = (ms: number) => new Date(t + ms).toISOString();
    const res = await post({
      batch: [
        { type: 'identify', anonymousId: 'quick-buyer', messageId: 'qb-1', timestamp: at(0), traits: { email: 'quick.buyer@shop.example' } },
        { type: 'track', anonymousId: 'quick-buyer', messageId: 'qb-2', timestamp: at(1000), event: 'Checkout Started', properties: { plan: 'team' } },
        { type: 'track', anonymousId: 'quick-buyer', messageId: 'qb-3', timestamp: at(2000), event: 'Order Completed', properties: { total: 490 } },
        // Someone who only checked out: the reminder is for them.
        { type: 'identify', anonymousId: 'hesitant', messageId: 'h-1', timestamp: at(0), traits: { email: 'hesitant@shop.example' } },
        { type: 'track', anonymousId: 'hesitant', messageId: 'h-2', timestamp: at(1000), event: 'Checkout Started', properties: { plan: 'team' } },
      ],
    });
    expect(res.status).toBe(200);
    const profile = async (email: string) =>
      ((await (await fetch(`${s.local.apiUrl}/v1/admin/profiles/email:${email}`, { headers: { authorization: `Bearer ${s.local.secrets.adminToken}` } })).json()) as {
        profile: { profileId: string };
      }).profile.profileId;
    let hesitant = '';
    for (let i = 0; i < 80 && !hesitant; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const runs = await executionsOf('cart-reminder');
      hesitant = await profile('hesitant@shop.example').catch(() => '');
      if (!runs.some((e) => e.profileId === hesitant)) hesitant = '';
    }
    expect(hesitant, 'the hesitant buyer is enrolled').not.toBe('');
    await s.local.bus.drain();
    const buyer = await profile('quick.buyer@shop.example');
    expect((await executionsOf('cart-reminder')).some((e) => e.profileId === buyer)).toBe(false);
  }, 60_000);
});
