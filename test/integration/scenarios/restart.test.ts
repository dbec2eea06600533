import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalPorts } from '../../../local/runtime/ports.js';
import { putProfile } from '../../helpers/sending.js';
import { closed, eventually, executionFor, publishActivity, type ScenarioLocal, startScenarioLocal, statesEntered } from '../../helpers/scenarios.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nurture-scenarios-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('local scenario runner across a restart', () => {
  it('keeps executions and their history, and continues a running one where it was', async () => {
    // Handlers keep their SDK clients from the first start (as a warm Lambda would): same ports again.
    const ports = Object.fromEntries(
      await Promise.all((['api', 'site', 'dynamodb', 'kinesis', 's3', 'ses', 'eventbridge', 'sfn', 'firehose'] as const).map(async (k) => [k, await freePort()])),
    ) as LocalPorts;
    const dir = join(import.meta.dirname, 'fixtures/journeys');
    // Real time first: the one-day wait holds the execution while local mode stops.
    let s: ScenarioLocal = await startScenarioLocal({ timeScale: 1, dir, dataDir, ports });
    await putProfile(s.doc, s.table, { profileId: 'p_restart', email: 'restart@example.com' });
    await publishActivity(s, 'p_restart', 'Trial Started', 'trial-restart');
    const arn = await executionFor(s, 'trial', 'p_restart');
    await eventually(() => statesEntered(s, arn), (states) => states.includes('a-day'));
    await s.stop();

    s = await startScenarioLocal({ timeScale: 86_400, dir, dataDir, ports });
    try {
      const done = await closed(s, arn);
      expect(done.status).toBe('SUCCEEDED');
      // Entered once before the stop; after the restart the wait starts over, and the journey goes on.
      expect(await statesEntered(s, arn)).toEqual(['a-day', 'a-day', 'welcome', 'welcome.status', 'wait-click', 'timed-out', 'done']);
    } finally {
      await s.stop();
    }
  });
});
