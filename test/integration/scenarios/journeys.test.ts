import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { resumeWaits } from '../../../functions/scenarios/adapters/task-tokens.js';
import { basicAuth } from '../../helpers/api-event.js';
import { inboxOf, putProfile } from '../../helpers/sending.js';
import {
  closed,
  eventually,
  executionFor,
  executionsOf,
  itemOf,
  publishActivity,
  type ScenarioLocal,
  startScenarioLocal,
  statesEntered,
} from '../../helpers/scenarios.js';

// A simulated day per real second.
let s: ScenarioLocal;
beforeAll(async () => {
  s = await startScenarioLocal({ timeScale: 86_400, dir: join(import.meta.dirname, 'fixtures/journeys') });
});
afterAll(async () => s?.stop());

const person = async (name: string) => {
  const profileId = `p_${name}`;
  const email = `${name}@example.com`;
  await putProfile(s.doc, s.table, { profileId, email, traits: { firstName: name } });
  return { profileId, email };
};
const inbox = (email: string) => inboxOf(s.local.emulators.endpoints.ses, email);
const tokensOf = async (profileId: string) =>
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
const deps = () => ({ doc: s.doc, sfn: s.sfn, tableName: s.table });

describe('scenario journeys in local mode', () => {
  it('stops the journey when the goal event arrives mid-journey, before anything is sent', async () => {
    const { profileId, email } = await person('goal');
    await publishActivity(s, profileId, 'Trial Started', 'trial-goal');
    const arn = await executionFor(s, 'trial', profileId);
    await publishActivity(s, profileId, 'Order Completed', 'order-goal');

    const done = await closed(s, arn);
    expect(done.status).toBe('ABORTED');
    expect(done.error).toBe('GoalReached');
    expect(await inbox(email)).toHaveLength(0);
    expect((await itemOf(s, `p#${profileId}`, 'exec#trial'))?.status).toBe('goal');
  });

  it('enrolls a redelivered trigger once', async () => {
    const { profileId } = await person('twice');
    // The same domain event three times (at-least-once delivery), once more straight onto the bus.
    for (let i = 0; i < 3; i++) await publishActivity(s, profileId, 'Trial Started', 'trial-dup');
    s.local.bus.putEvents([
      { Source: 'nurture.activity', DetailType: 'Trial Started', Detail: JSON.stringify({ profileId, messageId: 'trial-dup' }) },
    ]);
    await executionFor(s, 'trial', profileId);
    expect((await executionsOf(s, 'trial')).filter((e) => e.name?.startsWith(`${profileId}-`))).toHaveLength(1);
    expect((await itemOf(s, `p#${profileId}`, 'exec#trial'))?.count).toBe(1);
  });

  it('resumes a waitFor when the event arrives, once, and takes the then path', async () => {
    const { profileId, email } = await person('clicker');
    await publishActivity(s, profileId, 'Trial Started', 'trial-click');
    const arn = await executionFor(s, 'trial', profileId);
    await eventually(() => tokensOf(profileId), (t) => t.length === 1);
    // The token is stored first, then the event name joins the profile's waitingFor set.
    expect(await eventually(() => waitingFor(profileId), (w) => w.length === 1)).toEqual(['Email Link Clicked']);

    const click = { type: 'track', event: 'Email Link Clicked', messageId: 'click-1', properties: { url: 'https://www.example.com/products' } };
    expect(await resumeWaits(deps(), profileId, 'Email Link Clicked', click)).toBe(1);
    // The processor may see the same click again (stream redelivery): nothing more happens.
    expect(await resumeWaits(deps(), profileId, 'Email Link Clicked', click)).toBe(0);

    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(s, arn)).toEqual(['a-day', 'welcome', 'welcome.status', 'wait-click', 'clicked', 'done']);
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ clicked: true });
    expect(await tokensOf(profileId)).toEqual([]);
    expect(await waitingFor(profileId)).toEqual([]);
    expect(await inbox(email)).toHaveLength(1);
  });

  it('resumes a waitFor from the events stream: the stream processor sees the click and resumes the journey', async () => {
    // A visitor identified through the public API, profiled by the stream processor itself.
    const anonymousId = 'anon-streamer';
    const profileId = anonymousProfileId(anonymousId);
    const collect = (path: string, body: object) =>
      fetch(`${s.local.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...basicAuth(s.local.secrets.writeKey) }, body: JSON.stringify(body) });
    expect((await collect('/v1/identify', { anonymousId, traits: { email: 'streamer@example.com', firstName: 'Stream' } })).status).toBe(200);
    await eventually(() => itemOf(s, `p#${profileId}`, 'profile'), (p) => p?.email === 'streamer@example.com');

    await publishActivity(s, profileId, 'Trial Started', 'trial-stream');
    const arn = await executionFor(s, 'trial', profileId);
    await eventually(() => tokensOf(profileId), (t) => t.length === 1);
    await eventually(() => waitingFor(profileId), (w) => w.length === 1);
    expect((await collect('/v1/track', { anonymousId, event: 'Email Link Clicked', properties: { url: 'https://www.example.com/' } })).status).toBe(200);

    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(s, arn)).toContain('clicked');
    expect(await tokensOf(profileId)).toEqual([]);
    expect(await waitingFor(profileId)).toEqual([]);
  });

  it('shows scenarios, running executions with their current step, and an execution history in the admin API', async () => {
    const { profileId } = await person('watched');
    await publishActivity(s, profileId, 'Trial Started', 'trial-watched');
    const arn = await executionFor(s, 'trial', profileId);
    await eventually(() => tokensOf(profileId), (t) => t.length === 1);
    const name = arn.split(':').pop()!;
    const admin = async (path: string, auth = true) => {
      const res = await fetch(`${s.local.apiUrl}${path}`, auth ? { headers: { authorization: `Bearer ${s.local.secrets.adminToken}` } } : {});
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    expect((await admin('/v1/admin/scenarios', false)).status).toBe(401);
    const overview = await admin('/v1/admin/scenarios');
    expect(overview.body.scenarios.map((x: { id: string }) => x.id)).toEqual(['sale-a', 'sale-b', 'sale-c', 'trial']);
    expect(overview.body.scenarios.find((x: { id: string }) => x.id === 'trial').running).toBeGreaterThanOrEqual(1);

    const running = await admin('/v1/admin/scenarios/trial/executions?status=running');
    expect(running.body.executions).toContainEqual(expect.objectContaining({ name, profileId, status: 'RUNNING', currentStep: 'wait-click' }));
    const one = await admin(`/v1/admin/scenarios/trial/executions/${name}`);
    expect(one.body).toMatchObject({ profileId, status: 'RUNNING', currentStep: 'wait-click', transitions: 4 });
    expect(one.body.steps.map((x: { state: string }) => x.state)).toEqual(['a-day', 'welcome', 'welcome.status', 'wait-click']);
    expect((await admin('/v1/admin/scenarios/trial/executions/nope')).status).toBe(404);
    expect((await admin('/v1/admin/scenarios/trial/executions?status=sleeping')).body).toMatchObject({ field: 'status' });

    await resumeWaits(deps(), profileId, 'Email Link Clicked', { event: 'Email Link Clicked', messageId: 'click-w' });
    await closed(s, arn);
  });

  it('takes the else path when the event does not come before the timeout, and a late event resumes nothing', async () => {
    const { profileId } = await person('silent');
    await publishActivity(s, profileId, 'Trial Started', 'trial-silent');
    const arn = await executionFor(s, 'trial', profileId);
    expect((await closed(s, arn)).status).toBe('SUCCEEDED');
    expect(await statesEntered(s, arn)).toEqual(['a-day', 'welcome', 'welcome.status', 'wait-click', 'timed-out', 'done']);
    expect((await itemOf(s, `p#${profileId}`, 'profile'))?.traits).toMatchObject({ timedOut: true });

    // The click arrives after the timeout: the stale token is dropped without failing the processor.
    expect(await resumeWaits(deps(), profileId, 'Email Link Clicked', { event: 'Email Link Clicked', messageId: 'late' })).toBe(0);
    expect(await tokensOf(profileId)).toEqual([]);
    expect(await waitingFor(profileId)).toEqual([]);
  });

  it('holds the send caps when several scenarios mail one person at once', async () => {
    const { profileId, email } = await person('popular');
    // Three journeys enroll on the same event and send marketing mail at the same moment; the default
    // cap is one marketing mail a day.
    await publishActivity(s, profileId, 'Big Sale', 'sale-1');
    const results = await Promise.all(
      ['sale-a', 'sale-b', 'sale-c'].map(async (id) => {
        const done = await closed(s, await executionFor(s, id, profileId));
        return (JSON.parse(done.output ?? '{}') as { lastSend: { status: string; detail: { reason?: string } } }).lastSend;
      }),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['sent', 'skipped', 'skipped']);
    expect(results.filter((r) => r.status === 'skipped').map((r) => r.detail.reason)).toEqual(['cap-reached', 'cap-reached']);
    expect(await inbox(email)).toHaveLength(1);
  });
});
