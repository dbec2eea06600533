import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { processBatch, type ProcessorPorts } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import type { DomainEventOut } from '../../../functions/scoring/domain/score.js';
import { emptyState, type ScoringState } from '../../../functions/profiles/domain/profile.js';
import { emailEvent } from '../../../functions/sending/domain/feedback.js';
import type { MachineReason } from '../../../functions/sending/domain/machine.js';
import type { LinkClaims } from '../../../functions/sending/domain/tokens.js';
import { botNotice } from '../../../local/runtime/bot-notice.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { repoRoot } from '../../helpers/repo.js';

// The default rules marketers start from: 2 points an open, 3 a click.
const rules = parseRules(readFileSync(join(repoRoot, 'templates/rules/scoring.yaml'), 'utf8'));
const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** The stream processor over memory, for a lead whose scenario waits for a click. */
function processor() {
  const saved = new Map<string, ScoringState>();
  const resumed: string[] = [];
  const published: DomainEventOut[] = [];
  let seq = 0;
  const ports: ProcessorPorts = {
    links: { get: async () => new Map() },
    identify: async () => undefined,
    profiles: {
      load: async (ids) =>
        new Map(ids.map((id) => [id, { state: saved.get(id) ?? emptyState(id), version: 0, checkpoints: {}, waitingFor: new Set(['Email Link Clicked', 'Email Opened']) }])),
      save: async (_stored, next) => {
        saved.set(next.profileId, next);
        return true;
      },
      tombstone: async () => undefined,
      clearOutbox: async () => undefined,
    },
    rankPartition: () => 'rank#0',
    publish: async (events) => {
      published.push(...events);
    },
    rules: async () => rules,
    resumeWaits: async (_pid, name) => {
      resumed.push(name);
      return 1;
    },
    setAside: async () => undefined,
    now: () => new Date(),
  };
  const run = (events: CollectedEvent[]) => processBatch(events.map((event) => ({ seq: String(++seq), shard: 'shardId-0', event })), ports);
  return { run, saved, resumed, published };
}

const claims: LinkClaims = { p: 'p_lead', s: 'send_1', t: 'welcome', c: 'marketing', k: 'general', sc: 'mql-welcome' };
const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 10, minute));
const open = (minute: number, machine?: MachineReason) =>
  emailEvent('Email Opened', claims, { now: at(minute), userAgent: chrome, ...(machine ? { machine } : {}) });
const click = (minute: number, machine?: MachineReason) =>
  emailEvent('Email Link Clicked', claims, { now: at(minute), userAgent: chrome, url: 'https://shop.example/', ...(machine ? { machine } : {}) });

describe('opens and clicks no person made, in scoring and scenarios', () => {
  it('earn no points, resume no wait and put nothing on the bus (a scenario goal cannot see them)', async () => {
    const p = processor();
    const reasons: MachineReason[] = ['proxy', 'scanner', 'too-fast', 'honeypot', 'local-inbox'];
    const result = await p.run(reasons.flatMap((r, i) => [open(i, r), click(i, r)]));

    expect(result.applied).toBe(0);
    expect(p.saved.get('p_lead')).toBeUndefined();
    expect(p.resumed).toEqual([]);
    expect(p.published).toEqual([]);
  });

  it('while a person’s open and click of the same mail score, resume the wait and reach the bus', async () => {
    const p = processor();
    await p.run([open(0, 'proxy'), click(0, 'too-fast'), open(5), click(6)]);

    const state = p.saved.get('p_lead')!;
    expect(Object.keys(state.score.rules).sort()).toEqual(['email-link-clicked', 'email-opened']);
    expect(state.score.rules['email-opened']).toBeCloseTo(2, 3);
    expect(state.score.rules['email-link-clicked']).toBeCloseTo(3, 3);
    expect(p.resumed).toEqual(['Email Opened', 'Email Link Clicked']);
    expect(p.published.map((e) => e.detailType)).toEqual(expect.arrayContaining(['Email Opened', 'Email Link Clicked']));
  });

  it('do not make local mode print its headless-browser notice', () => {
    const lines: string[] = [];
    botNotice((line) => lines.push(line))(kinesisBatch([open(0, 'local-inbox'), click(0, 'scanner')]));
    expect(lines).toEqual([]);
    const headless = { ...open(1), context: { userAgent: 'Mozilla/5.0 HeadlessChrome/126.0' }, nurture: { v: 1 as const, bot: true } };
    botNotice((line) => lines.push(line))(kinesisBatch([headless]));
    expect(lines).toHaveLength(1);
  });
});
