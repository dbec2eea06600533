import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'nurture-scenarios-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'scenarios', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

describe('nurture scenarios (command line)', () => {
  it('validates the examples, and fails naming the bad field of a broken file', async () => {
    expect(await cli('validate')).toMatchObject({ code: 0, out: expect.stringContaining('ok   cart-reminder.yaml') });
    writeFileSync(
      join(dir, 'broken.yaml'),
      ['id: broken', 'name: Broken', 'trigger: { event: Signed Up }', 'steps:', '  - { id: hello, type: send, template: no-such-template, next: nowhere }'].join('\n'),
    );
    const bad = await cli('validate', '--dir', dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${join(dir, 'broken.yaml')}:5:58  steps[0].next  no step has the id "nowhere"`);
    expect(bad.out).toContain(`${join(dir, 'broken.yaml')}:5:30  steps[0].template  no template "no-such-template" in templates/`);
  });

  it('simulates a journey for a fixture, printing decisions and sending nothing', async () => {
    const fixture = join(dir, 'lead.json');
    writeFileSync(fixture, JSON.stringify({ profile: { profileId: 'p_kim', known: true, score: { value: 70 } } }));
    const r = await cli('simulate', 'brochure-nurture', '--profile', fixture, '--start', '2026-03-10T09:00:00Z', '--event', '3d:Email Opened');
    expect(r.code).toBe(0);
    expect(r.out).toContain('hot lead: (score ≥ 50 or Page Viewed /pricing ≥ 2 times in 14d) → yes');
    expect(r.out).toContain('outcome: exited; would send: brochure-delivery, nurture-case-study');
  });
});
