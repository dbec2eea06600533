import { describe, expect, it } from 'vitest';
import { followMerges, maxMergeHops, survivorsOf } from '../../../functions/profiles/domain/merge-chain.js';
import { mergeProfiles } from '../../../functions/profiles/domain/merge.js';
import { emptyState, mergedKept, type ScoringState } from '../../../functions/profiles/domain/profile.js';
import { MergeChainTooLongError } from '../../../functions/profiles/errors.js';
import { decayFactor } from '../../../functions/scoring/domain/decay.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { applyEvents, foldScores } from '../../../functions/scoring/domain/score.js';
import { collected, day, pageView, track } from '../../helpers/events.js';

const rules = parseRules(`
version: 1
halfLifeDays: 10
stages: { mql: 30, sql: 60 }
rules:
  - { id: clicked, match: { event: Email Link Clicked }, points: 3 }
  - { id: insight, match: { type: page, path: /products/insight* }, points: 4, category: product }
  - id: pricing-again
    match: { type: page, path: /pricing* }
    repeat: { atLeast: 3, withinDays: 7 }
    points: 10
`);
const run = (events: ReturnType<typeof collected>[], state: ScoringState) => applyEvents(state, events, rules, events.at(-1)!.timestamp).state;
const total = (s: ScoringState, at: string) => s.score.value * decayFactor(s.score.asOf, at, rules.halfLifeDays) + s.score.fit;

describe('merging a profile into its survivor', () => {
  it('aligns points in time, keeps the survivor traits, joins the history', () => {
    const a = run([pageView('/products/insight', day(0)), collected({ type: 'identify', traits: { email: 'a@firm.com', name: 'Ann' }, at: day(0) })], emptyState('A'));
    const b = run([track('Email Link Clicked', {}, day(10)), collected({ type: 'identify', traits: { name: 'Anne B', phone: '1' }, at: day(10) })], emptyState('B'));
    const state = mergeProfiles(a, b, foldScores(rules));
    expect(total(state, day(10))).toBeCloseTo(4 / 2 + 3, 2);
    expect(state.traits).toMatchObject({ name: 'Ann', phone: '1', email: 'a@firm.com' });
    // Both profiles' business events (the page view is in the lake only).
    expect(state.recent.map((e) => e.type)).toEqual(['identify', 'track', 'identify']);
    expect(state.merged).toEqual(['B']);
  });

  it('remembers only the latest merged profiles, however many are merged in', () => {
    let survivor = run([collected({ type: 'identify', traits: { email: 'lead@firm.com' }, at: day(0) })], emptyState('S'));
    for (let i = 0; i < mergedKept + 30; i++) survivor = mergeProfiles(survivor, emptyState(`anon-${i}`), foldScores(rules));
    expect(survivor.merged).toHaveLength(mergedKept);
    expect(survivor.merged.at(-1)).toBe(`anon-${mergedKept + 29}`);
  });

  it('keeps only the times a repeat window needs', () => {
    const visits = (id: string) => run([0, 1].map((d) => pageView('/pricing', day(d))), emptyState(id));
    let survivor = visits('S');
    for (let i = 0; i < 20; i++) survivor = mergeProfiles(survivor, visits(`o${i}`), foldScores(rules));
    expect(survivor.repeats['pricing-again']!.times).toHaveLength(3);
  });
});

describe('following merges', () => {
  const chain = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`p${i}`, { mergedInto: `p${i + 1}` }]));

  it('reaches the survivor within the hop limit, one read per hop', async () => {
    const items = chain(maxMergeHops);
    const reads: string[] = [];
    const found = await followMerges('p0', async (id) => {
      reads.push(id);
      return items.get(id) ?? {};
    });
    expect(found?.profileId).toBe(`p${maxMergeHops}`);
    expect(reads).toHaveLength(maxMergeHops + 1);
  });

  it('gives up on a chain longer than the limit, and on a cycle, instead of looping', async () => {
    const items = chain(maxMergeHops + 1);
    await expect(followMerges('p0', async (id) => items.get(id) ?? {})).rejects.toBeInstanceOf(MergeChainTooLongError);
    const cycle = new Map([['a', { mergedInto: 'b' }], ['b', { mergedInto: 'a' }]]);
    await expect(followMerges('a', async (id) => cycle.get(id))).rejects.toBeInstanceOf(MergeChainTooLongError);
  });

  it('resolves many ids with one load per hop', async () => {
    const items = new Map<string, { mergedInto?: string }>([['a', { mergedInto: 'b' }], ['x', {}]]);
    const store = new Map<string, { mergedInto?: string }>([['b', { mergedInto: 'c' }], ['c', {}]]);
    const loads: string[][] = [];
    const { survivor, unresolved } = await survivorsOf(['a', 'x'], items, async (ids) => {
      loads.push(ids);
      return new Map(ids.map((id) => [id, store.get(id) ?? {}]));
    });
    expect(Object.fromEntries(survivor)).toEqual({ a: 'c', x: 'x' });
    expect(unresolved).toEqual([]);
    expect(loads).toEqual([['b'], ['c']]);
  });
});
