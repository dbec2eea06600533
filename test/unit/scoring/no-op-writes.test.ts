import { describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { anonymousRankMinPoints } from '../../../functions/profiles/domain/profile.js';
import { processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { collected, pageView, track } from '../../helpers/events.js';
import { seqOf } from '../../helpers/kinesis-event.js';
import { memoryProcessorPorts } from '../../helpers/memory-ports.js';

const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5, limit: { perDay: 1 } }
  - { id: dwell, match: { event: Page Ping }, points: 1, limit: { perDay: 2 } }
`);
const shard = 'shardId-000000000000';
const at = (s: number) => new Date(Date.UTC(2026, 5, 1, 10, 0, s)).toISOString();
let seq = 0;
const records = (...events: ReturnType<typeof collected>[]): StreamEvent[] => events.map((event) => ({ event, seq: seqOf(++seq), shard }));

describe('stream processor: events that change nothing write nothing', () => {
  it('writes no profile update for heartbeats past their cap, and counts them once the cap resets', async () => {
    const { ports, profiles } = memoryProcessorPorts(rules);
    const ping = (s: number) => track('Page Ping', { seconds: 15 }, at(s), { anonymousId: 'ann' });
    await processBatch(records(pageView('/pricing', at(0), { anonymousId: 'ann' }), ping(1), ping(2)), ports);
    const saves = profiles.saves;
    const before = structuredClone(profiles.items.get(anonymousProfileId('ann'))!.state.score);
    // Past the cap of 2 a day: nothing a reader acts on changes, so nothing is written.
    const r = await processBatch(records(ping(3), ping(4), pageView('/pricing', at(5), { anonymousId: 'ann' })), ports);
    expect(r.applied).toBe(3);
    expect(profiles.saves).toBe(saves);
    expect(profiles.items.get(anonymousProfileId('ann'))!.state.score).toEqual(before);
    // The same events again (a redelivery) still write nothing.
    await processBatch(records(ping(3), ping(4)), ports);
    expect(profiles.saves).toBe(saves);
  });

  it('still publishes a known lead\u2019s page view when its update writes nothing', async () => {
    const { ports, profiles, published } = memoryProcessorPorts(rules);
    const known = collected({ type: 'identify', at: at(0), anonymousId: 'kim', traits: { email: 'kim@firm.example' } });
    await processBatch(records(known, pageView('/pricing', at(1), { anonymousId: 'kim' })), ports);
    const saves = profiles.saves;
    published.length = 0;
    await processBatch(records(pageView('/pricing', at(2), { anonymousId: 'kim' })), ports);
    expect(profiles.saves).toBe(saves);
    expect(published.map((e) => e.detailType)).toEqual(['Page Viewed']);
  });

  it('ranks anonymous visitors only from anonymousRankMinPoints on', async () => {
    const { ports, profiles } = memoryProcessorPorts(rules);
    await processBatch(records(pageView('/pricing', at(0), { anonymousId: 'low' })), ports);
    expect(profiles.items.get(anonymousProfileId('low'))!.rank).toBeUndefined();
    const many = Array.from({ length: anonymousRankMinPoints }, (_, i) => track('Page Ping', {}, at(10 + i), { anonymousId: 'high' }));
    const hot = parseRules(`
version: 2
stages: { mql: 400, sql: 800 }
rules:
  - { id: dwell, match: { event: Page Ping }, points: 1 }
`);
    const { ports: hotPorts, profiles: hotProfiles } = memoryProcessorPorts(hot);
    await processBatch(records(...many), hotPorts);
    expect(hotProfiles.items.get(anonymousProfileId('high'))!.rank?.pk).toMatch(/^rank#anonymous#/);
  });
});
