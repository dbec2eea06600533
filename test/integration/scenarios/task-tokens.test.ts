import { join } from 'node:path';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeWaits, waitSk } from '../../../functions/scenarios/adapters/task-tokens.js';
import { putProfile } from '../../helpers/sending.js';
import { closed, eventually, executionFor, itemOf, publishActivity, type ScenarioLocal, startScenarioLocal, statesEntered } from '../../helpers/scenarios.js';

let s: ScenarioLocal;
beforeAll(async () => {
  // The fixture waits 30 simulated days: at a day per real second the wait outlasts every test here.
  s = await startScenarioLocal({ timeScale: 86_400, dir: join(import.meta.dirname, 'fixtures/waits') });
});
afterAll(async () => s?.stop());

const deps = () => ({ doc: s.doc, sfn: s.sfn, tableName: s.table });
const tokens = async (profileId: string) =>
  (
    await s.doc.send(
      new QueryCommand({
        TableName: s.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
        ExpressionAttributeValues: { ':pk': `p#${profileId}`, ':w': 'wait#' },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
const waitingFor = async (profileId: string) => [...((await itemOf(s, `p#${profileId}`, 'profile'))?.waitingFor ?? [])] as string[];
const planChanged = (plan: string, messageId: string) => ({ type: 'track', event: 'Plan Changed', messageId, properties: { plan } });

async function waitingPerson(name: string) {
  const profileId = `p_${name}`;
  await putProfile(s.doc, s.table, { profileId, email: `${name}@example.com` });
  await publishActivity(s, profileId, 'Plan Viewed', `view-${name}`);
  const arn = await executionFor(s, 'plan-upgrade', profileId);
  await eventually(() => tokens(profileId), (t) => t.length === 1);
  // The step stores the token, then names the event in the profile's waitingFor set (the processor's cue).
  await eventually(() => waitingFor(profileId), (w) => w.length === 1);
  return { profileId, arn };
}

describe('resumeWaits (the stream processor calls it for names in profile.waitingFor)', () => {
  it('keeps a wait whose filter the event does not match, resumes on one that does, and only once', async () => {
    const { profileId, arn } = await waitingPerson('ute');
    expect(await waitingFor(profileId)).toEqual(['Plan Changed']);

    expect(await resumeWaits(deps(), profileId, 'Plan Changed', planChanged('basic', 'm1'))).toBe(0);
    expect(await tokens(profileId)).toHaveLength(1);
    expect(await waitingFor(profileId)).toEqual(['Plan Changed']);

    expect(await resumeWaits(deps(), profileId, 'Plan Changed', planChanged('pro', 'm2'))).toBe(1);
    expect(await resumeWaits(deps(), profileId, 'Plan Changed', planChanged('pro', 'm2'))).toBe(0);

    const done = await closed(s, arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).received).toEqual(planChanged('pro', 'm2'));
    expect(await statesEntered(s, arn)).toEqual(['wait-upgrade', 'upgraded', 'done']);
    expect(await tokens(profileId)).toEqual([]);
    expect(await waitingFor(profileId)).toEqual([]);
  });

  it('drops tokens that no execution waits on any more without failing, and forgets the event name', async () => {
    const profileId = 'p_vera';
    await putProfile(s.doc, s.table, { profileId, email: 'vera@example.com' });
    const stale = (sk: string, token: string, expiresAt: number) =>
      s.doc.send(new PutCommand({ TableName: s.table, Item: { pk: `p#${profileId}`, sk, token, expiresAt } }));
    // One whose execution is gone (unknown token), one past its expiry (never sent to Step Functions).
    await stale(waitSk('Plan Changed', 'gone-1'), 'token-of-a-finished-execution', Math.floor(Date.now() / 1000) + 3600);
    await stale(waitSk('Plan Changed', 'old-1'), 'expired-token', Math.floor(Date.now() / 1000) - 60);
    await s.doc.send(
      new UpdateCommand({ TableName: s.table, Key: { pk: `p#${profileId}`, sk: 'profile' }, UpdateExpression: 'ADD waitingFor :n', ExpressionAttributeValues: { ':n': new Set(['Plan Changed']) } }),
    );

    expect(await resumeWaits(deps(), profileId, 'Plan Changed', planChanged('pro', 'm3'))).toBe(0);
    expect(await tokens(profileId)).toEqual([]);
    expect(await waitingFor(profileId)).toEqual([]);
  });

  it('leaves other event names and other people alone', async () => {
    const { profileId } = await waitingPerson('walt');
    expect(await resumeWaits(deps(), profileId, 'Email Opened', { event: 'Email Opened', messageId: 'm4' })).toBe(0);
    expect(await resumeWaits(deps(), 'p_nobody', 'Plan Changed', planChanged('pro', 'm5'))).toBe(0);
    expect(await tokens(profileId)).toHaveLength(1);
    expect(await waitingFor(profileId)).toEqual(['Plan Changed']);
  });
});
