import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxOf, putProfile, type SesProxy, startSesProxy } from '../../helpers/sending.js';
import { closed, executionFor, publishActivity, type ScenarioLocal, startScenarioLocal, statesEntered } from '../../helpers/scenarios.js';

// Local mode with SES behind a proxy that throttles on demand, as SES does past the account's send rate
// (1 message/s in the sandbox). Retry intervals are real time locally: the time scale only shortens waits.
let s: ScenarioLocal;
let ses: SesProxy;
beforeAll(async () => {
  s = await startScenarioLocal({ timeScale: 86_400, dir: join(import.meta.dirname, 'fixtures/send-retries') });
  ses = await startSesProxy(s.local.emulators.endpoints.ses);
  // The send function is loaded at its first call and reads its SES endpoint then, as at a cold start.
  process.env.AWS_ENDPOINT_URL_SESV2 = ses.url;
}, 60_000);
afterAll(async () => {
  await ses?.stop();
  await s?.stop();
});

describe('send steps under SES throttling', () => {
  it('retries a throttled send step until SES accepts, and delivers exactly once', async () => {
    const profileId = 'p_throttled';
    const email = 'throttled@example.com';
    await putProfile(s.doc, s.table, { profileId, email, traits: { firstName: 'Tia' } });
    ses.throttleNext = 2;

    await publishActivity(s, profileId, 'Trial Started', 'trial-throttled');
    const arn = await executionFor(s, 'welcome-now', profileId);
    // Full jitter: each retry waits a random share of 1 s, then 2 s.
    const done = await closed(s, arn, 30_000);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).lastSend).toMatchObject({ status: 'sent' });
    expect(ses.sendCalls).toBe(3);
    expect(await inboxOf(s.local.emulators.endpoints.ses, email)).toHaveLength(1);
    // One send step, entered once: the retries are the task's own.
    expect(await statesEntered(s, arn)).toEqual(['welcome', 'welcome.status', 'Done']);
  }, 40_000);
});
