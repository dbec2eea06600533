import { describe, expect, it } from 'vitest';
import { emptyState, profileItemBudgetBytes } from '../../../functions/profiles/domain/profile.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { ordersKept } from '../../../functions/scoring/domain/lifecycle.js';
import { maxOutboxBytes } from '../../../functions/scoring/domain/process-batch.js';
import { maxRepeatTimes, maxRules, parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents } from '../../../functions/scoring/domain/score.js';
import { collected, day } from '../../helpers/events.js';

const x = (n: number, c = 'x') => c.repeat(n);
const ruleId = (i: number) => `r${String(i).padStart(3, '0')}-${x(59, 'a')}`;
const category = (i: number) => `c${String(i).padStart(3, '0')}${x(60, 'b')}`;
const repeatRules = maxRepeatTimes / 50;

/** A rules document at every maximum: 200 rules with the longest ids and categories, repeat windows adding up to 500. */
const maximalRules = parseRules(
  `version: 1\nhalfLifeDays: 30\nstages: { mql: 40, sql: 80 }\nrules:\n` +
    Array.from({ length: maxRules }, (_, i) =>
      i < repeatRules
        ? `  - { id: ${ruleId(i)}, match: { type: track }, points: 1, category: ${category(i)}, repeat: { atLeast: 50, withinDays: 90 } }`
        : i < maxRules / 2
          ? `  - { id: ${ruleId(i)}, kind: fit, traits: { t: { exists: false } }, points: 1 }`
          : `  - { id: ${ruleId(i)}, match: { type: [track, page] }, points: 1, category: ${category(i)}, limit: { perDay: 100000 } }`,
    ).join('\n'),
);

describe('profile item budget', () => {
  it('holds with every bound full and a maximal rules document', () => {
    let n = 0;
    const at = () => day(0, n++ / 3600);
    const ev = (e: Partial<CollectedEvent>) => collected({ messageId: `${x(240)}${n}`, anonymousId: `${x(240)}${n % 40}`, at: at(), ...e });
    const events = [
      ev({ type: 'identify', userId: x(256), traits: { email: `${x(240)}@x.com`, timezone: 'America/Argentina/ComodRivadavia' } }),
      ...Array.from({ length: 200 }, (_, k) => ev({ type: 'identify', traits: Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`t${k}-${j}-${x(110)}`, x(900)])) })),
      ...Array.from({ length: 300 }, (_, k) => ev({ type: 'track', event: `e${k}${x(250)}`, properties: { path: `/${x(30_000)}` } })),
      ...Array.from({ length: 60 }, () => ev({ type: 'page', name: x(256), context: { page: { path: `/p${x(2000)}` } } })),
      // Orders with the longest ids and the largest revenue: the purchase summary at its fullest.
      ...Array.from({ length: 30 }, (_, k) => ev({ type: 'track', event: 'Order Completed', properties: { order_id: `${x(240)}${k}`, revenue: 1e12 } })),
    ];
    let s = emptyState(`p_${x(22)}`);
    for (let i = 0; i < events.length; i += 100) s = applyEvents(s, events.slice(i, i + 100), maximalRules, day(1)).state;
    for (let i = 0; i < 80; i++) s.merged.push(`p_${x(20)}${i}`);
    s = applyEvents(s, [ev({ type: 'page', context: { page: { path: '/' } } })], maximalRules, day(1)).state;
    const state = Buffer.byteLength(JSON.stringify(s), 'utf8');
    expect(s.purchases?.recent).toHaveLength(ordersKept);
    // What a customer's lifecycle adds to the item: the summary with its window full, the state and its time.
    const lifecycleBytes = Buffer.byteLength(JSON.stringify({ purchases: s.purchases, lifecycle: s.lifecycle, lifecycleSince: s.lifecycleSince, lifecycleDue: s.lifecycleDue, gsi2pk: 'due#0' }), 'utf8');
    expect(lifecycleBytes).toBeLessThanOrEqual(750);
    // Besides the state: the outbox, shard checkpoints, the ranking keys and copies, version, timestamps.
    const bookkeeping = 4 * 1024;
    expect(state + maxOutboxBytes + bookkeeping).toBeLessThanOrEqual(profileItemBudgetBytes);
    expect(profileItemBudgetBytes).toBeLessThan(400 * 1024 / 2);
  });
});
