import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../functions/crm/domain/signature.js';
import { closed, eventually, executionFor, itemOf, publishActivity, type ScenarioLocal, startScenarioLocal } from '../../helpers/scenarios.js';

// A simulated day per real second: the journey's 60-day wait outlasts the test.
let s: ScenarioLocal;
beforeAll(async () => {
  s = await startScenarioLocal({ timeScale: 86_400, dir: join(import.meta.dirname, 'fixtures/loop') });
}, 120_000);
afterAll(async () => s?.stop());

/** Posts a signed inbound CRM event to local mode's API, as a CRM would. */
async function crm(event: Record<string, unknown>) {
  const raw = JSON.stringify(event);
  const res = await fetch(`${s.local.apiUrl}/v1/crm/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Nurture-Signature': signRequest(s.local.env.CRM_SECRET!, raw, new Date()) },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('inbound deal_won closes the loop', () => {
  it('makes the lead a customer and ends the journey whose goal is that stage', async () => {
    const at = () => new Date().toISOString();
    const known = await crm({ id: 'loop-contact', type: 'contact_updated', occurredAt: at(), contact: { email: 'loop@example.co.jp' }, traits: { company: 'Loop KK' } });
    expect(known.status).toBe(200);
    const profileId = String(known.body.profileId);
    await eventually(() => itemOf(s, `p#${profileId}`, 'profile'), (p) => p?.stage === 'known');

    await publishActivity(s, profileId, 'Demo Requested', 'loop-demo');
    const arn = await executionFor(s, 'demo-follow-up', profileId);

    const won = await crm({ id: 'loop-won', type: 'deal_won', occurredAt: at(), contact: { email: 'loop@example.co.jp' }, amount: 500000, currency: 'JPY' });
    expect(won).toMatchObject({ status: 200, body: { profileId } });
    const done = await closed(s, arn);
    expect(done.status).toBe('ABORTED');
    expect(done.error).toBe('GoalReached');
    expect((await itemOf(s, `p#${profileId}`, 'exec#demo-follow-up'))?.status).toBe('goal');
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.stage).toBe('customer');
  });
});
