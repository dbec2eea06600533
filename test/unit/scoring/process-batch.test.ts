import { describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { idKey, type ScoringState } from '../../../functions/profiles/domain/profile.js';
import { ProfileWriteRefusedError } from '../../../functions/profiles/errors.js';
import { batchItemFailures, processBatch, type StreamEvent } from '../../../functions/scoring/domain/process-batch.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { pageView, track } from '../../helpers/events.js';
import { seqOf } from '../../helpers/kinesis-event.js';
import { memoryProcessorPorts } from '../../helpers/memory-ports.js';

const rules = parseRules(`
version: 1
stages: { mql: 40, sql: 80 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: order, match: { event: Order Completed }, points: 10 }
`);

const shard = 'shardId-000000000000';
const at = (i: number) => new Date(Date.UTC(2026, 5, 1, 10, 0, i)).toISOString();

/** Ten events of five visitors; the bad one (`{"constructor":"Ferrari"}`) sits between two of its visitor's good ones. */
function batch() {
  const bad = track('Order Completed', { constructor: 'Ferrari' }, at(4), { anonymousId: 'ann', messageId: 'bad-1' });
  const events = [
    pageView('/pricing', at(0), { anonymousId: 'ann' }),
    pageView('/pricing', at(1), { anonymousId: 'bob' }),
    pageView('/pricing', at(2), { anonymousId: 'cid' }),
    track('Order Completed', { total: 10 }, at(3), { anonymousId: 'bob' }),
    bad,
    pageView('/pricing', at(5), { anonymousId: 'dee' }),
    track('Order Completed', {}, at(6), { anonymousId: 'ann' }),
    pageView('/pricing', at(7), { anonymousId: 'eve' }),
    pageView('/pricing', at(8), { anonymousId: 'cid' }),
    pageView('/pricing', at(9), { anonymousId: 'ann' }),
  ];
  const records: StreamEvent[] = events.map((event, i) => ({ event, seq: seqOf(500 + i), shard }));
  return { records, bad, good: events.filter((e) => e !== bad) };
}

const holds = (next: ScoringState, messageId: string) => next.recentIds.includes(idKey(messageId));
const ann = anonymousProfileId('ann');

describe('stream processor: one event that cannot be applied', () => {
  it('applies the other 9 events of the batch, sets the bad one aside alone, and reports no batch failure', async () => {
    const { ports, profiles, setAside } = memoryProcessorPorts(rules);
    const { records, bad, good } = batch();
    profiles.beforeSave = (next) => {
      if (holds(next, bad.messageId)) {
        throw new ProfileWriteRefusedError('ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range');
      }
    };

    const result = await processBatch(records, ports);

    expect(batchItemFailures(result)).toEqual([]);
    expect(result).toMatchObject({ applied: 9, setAside: 1, failed: [] });
    for (const e of good) {
      const pid = anonymousProfileId(e.anonymousId!);
      expect(profiles.items.get(pid)?.state.recentIds, `${e.messageId} of ${pid}`).toContain(idKey(e.messageId));
    }
    const annState = profiles.items.get(ann)!;
    expect(annState.state.recentIds).not.toContain(idKey(bad.messageId));
    // Ann's two page views and her good order: the bad order earned nothing.
    expect(annState.state.score.value).toBeCloseTo(5 + 10 + 5, 5);
    expect(annState.checkpoints[shard]).toBe(records.at(-1)!.seq);
    expect(setAside).toHaveLength(1);
    expect(setAside[0]).toMatchObject({ profileId: ann, messageId: 'bad-1', shard, seq: records[4]!.seq });
    expect(setAside[0]!.error).toContain('Number overflow');
    expect(JSON.parse(setAside[0]!.event!)).toEqual(bad);
  });

  it('changes nothing and sets nothing aside again when the same batch is delivered again', async () => {
    const { ports, profiles, setAside } = memoryProcessorPorts(rules);
    const { records, bad } = batch();
    profiles.beforeSave = (next) => {
      if (holds(next, bad.messageId)) throw new ProfileWriteRefusedError('ValidationException: refused');
    };
    await processBatch(records, ports);
    const before = structuredClone([...profiles.items]);

    const again = await processBatch(records, ports);

    expect(again).toMatchObject({ applied: 0, setAside: 0, failed: [] });
    expect([...profiles.items]).toEqual(before);
    expect(setAside).toHaveLength(1);
  });

  it('fails the batch item from the profile\'s first event when the store is throttled, setting nothing aside', async () => {
    const { ports, profiles, setAside } = memoryProcessorPorts(rules);
    const { records, bad } = batch();
    profiles.beforeSave = (next) => {
      if (holds(next, bad.messageId)) {
        throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), {
          name: 'ProvisionedThroughputExceededException',
          $metadata: { httpStatusCode: 400 },
        });
      }
    };

    const result = await processBatch(records, ports);

    expect(result.setAside).toBe(0);
    expect(batchItemFailures(result)).toEqual([{ itemIdentifier: records[0]!.seq }]);
    expect(setAside).toEqual([]);
    expect(profiles.items.get(ann)?.version ?? 0).toBe(0);
    // The other visitors' events are stored: the retry from Ann's first event skips them by their checkpoints.
    for (const id of ['bob', 'cid', 'dee', 'eve']) expect(profiles.items.get(anonymousProfileId(id))?.checkpoints[shard]).toBeDefined();
  });
});
