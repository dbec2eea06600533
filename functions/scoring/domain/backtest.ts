import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { decayFactor } from './decay.js';
import type { RulesDoc } from './rules.js';
import { applyEvents } from './score.js';
import { type ActivityEntry, emptyState, type ScoringState } from '../../profiles/domain/profile.js';

/** A stored profile's history, as the back-test replays it. */
export interface ProfileHistory {
  profileId: string;
  known: boolean;
  email?: string;
  /** The person's traits now (the lake keeps no traits): fit rules are judged on them. */
  traits?: Record<string, unknown>;
  activity: ActivityEntry[];
}

export interface Outcome {
  profileId: string;
  email?: string;
  score: number;
  stage: string;
}

export interface BacktestReport {
  profiles: number;
  events: number;
  asOf: string;
  current: { version: number; top: Outcome[]; stages: Record<string, number>; qualified: Outcome[] };
  draft: { version: number; top: Outcome[]; stages: Record<string, number>; qualified: Outcome[] };
  /** Leads that become MQL or better under the draft but are not under the rules in force, and the reverse. */
  newlyQualified: Outcome[];
  noLongerQualified: Outcome[];
  /** Rank movements among the draft's top N: positive = moved up. */
  movers: { profileId: string; email?: string; currentRank?: number; draftRank: number }[];
}

const qualifiedStages = new Set(['mql', 'sql', 'customer']);

/** Rebuilds the events an activity history records (type, name, path, small properties/traits). */
export function eventsOf(history: ProfileHistory): CollectedEvent[] {
  return [...history.activity]
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0))
    .map((a) => ({
      type: a.type as CollectedEvent['type'],
      messageId: a.id,
      timestamp: a.t,
      receivedAt: a.t,
      source: 'backtest',
      ...(a.type === 'track' ? { event: a.name } : a.name ? { name: a.name } : {}),
      ...(a.type === 'identify' || a.type === 'alias'
        ? { traits: { ...(a.data ?? {}), ...(history.email && !a.data?.email ? { email: history.email } : {}) } }
        : { properties: a.data ?? {} }),
      context: a.path ? { page: { path: a.path } } : {},
      nurture: { v: 1, bot: false },
    })) as CollectedEvent[];
}

function replay(history: ProfileHistory, rules: RulesDoc, asOf: string): ScoringState {
  const start = emptyState(history.profileId);
  if (history.traits) start.traits = structuredClone(history.traits);
  const events = eventsOf(history);
  // A known profile whose identify left the window still counts as known.
  if (history.known && !events.some((e) => e.type === 'identify')) {
    start.known = true;
    start.stage = 'known';
    if (history.email) start.email = history.email;
  }
  return applyEvents(start, events, rules, asOf).state;
}

function outcome(state: ScoringState, rules: RulesDoc, asOf: string, email?: string): Outcome {
  const score = state.score.value * decayFactor(state.score.asOf, asOf, rules.halfLifeDays) + state.score.fit;
  return { profileId: state.profileId, ...(email ? { email } : {}), score: Math.round(score * 100) / 100, stage: state.stage };
}

function summarize(outcomes: Outcome[], top: number) {
  const stages: Record<string, number> = {};
  for (const o of outcomes) stages[o.stage] = (stages[o.stage] ?? 0) + 1;
  const ranked = [...outcomes].sort((a, b) => b.score - a.score);
  return { top: ranked.slice(0, top), stages, qualified: ranked.filter((o) => qualifiedStages.has(o.stage)) };
}

/**
 * Replays every profile's stored history through the rules in force and through a draft, as of the
 * same moment, and compares ranking, stage counts and qualified leads. Pure: writes nothing.
 */
export function backtest(histories: ProfileHistory[], current: RulesDoc, draft: RulesDoc, opts: { top: number; asOf: string }): BacktestReport {
  const now = opts.asOf;
  const cur = histories.map((h) => outcome(replay(h, current, now), current, now, h.email));
  const drf = histories.map((h) => outcome(replay(h, draft, now), draft, now, h.email));
  const c = summarize(cur, opts.top);
  const d = summarize(drf, opts.top);
  const curQualified = new Set(c.qualified.map((o) => o.profileId));
  const drfQualified = new Set(d.qualified.map((o) => o.profileId));
  const currentRank = new Map([...cur].sort((a, b) => b.score - a.score).map((o, i) => [o.profileId, i + 1]));
  return {
    profiles: histories.length,
    events: histories.reduce((n, h) => n + h.activity.length, 0),
    asOf: now,
    current: { version: current.version, ...c },
    draft: { version: draft.version, ...d },
    newlyQualified: d.qualified.filter((o) => !curQualified.has(o.profileId)),
    noLongerQualified: c.qualified.filter((o) => !drfQualified.has(o.profileId)),
    movers: d.top.map((o, i) => ({
      profileId: o.profileId,
      ...(o.email ? { email: o.email } : {}),
      ...(currentRank.has(o.profileId) ? { currentRank: currentRank.get(o.profileId)! } : {}),
      draftRank: i + 1,
    })),
  };
}

/** The report as a person reads it in a terminal. */
export function formatReport(r: BacktestReport): string {
  const lines: string[] = [];
  const who = (o: { profileId: string; email?: string }) => o.email ?? o.profileId;
  lines.push(`Back-test of rules v${r.draft.version} against v${r.current.version} in force, as of ${r.asOf}`);
  lines.push(`${r.profiles} profiles, ${r.events} recorded events replayed; nothing was written.`, '');
  lines.push('Stage counts            in force     draft    change');
  const stages = [...new Set([...Object.keys(r.current.stages), ...Object.keys(r.draft.stages)])];
  for (const s of ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant'].filter((x) => stages.includes(x))) {
    const a = r.current.stages[s] ?? 0;
    const b = r.draft.stages[s] ?? 0;
    lines.push(`  ${s.padEnd(20)}${String(a).padStart(9)}${String(b).padStart(10)}${(b - a > 0 ? `+${b - a}` : String(b - a)).padStart(10)}`);
  }
  lines.push('', `Top ${r.draft.top.length} under the draft (rank in force → draft, score)`);
  r.draft.top.forEach((o, i) => {
    const m = r.movers[i]!;
    const move = m.currentRank === undefined ? 'new' : m.currentRank === m.draftRank ? '=' : m.currentRank > m.draftRank ? `↑${m.currentRank - m.draftRank}` : `↓${m.draftRank - m.currentRank}`;
    lines.push(`  ${String(i + 1).padStart(3)}. ${who(o).padEnd(40)} ${String(m.currentRank ?? '-').padStart(5)} → ${String(m.draftRank).padEnd(4)} ${move.padEnd(5)} ${o.score.toFixed(1).padStart(8)}  ${o.stage}`);
  });
  lines.push('', `Newly MQL or better under the draft: ${r.newlyQualified.length}`);
  for (const o of r.newlyQualified.slice(0, 50)) lines.push(`  + ${who(o)} (${o.stage}, ${o.score.toFixed(1)})`);
  lines.push(`No longer MQL or better under the draft: ${r.noLongerQualified.length}`);
  for (const o of r.noLongerQualified.slice(0, 50)) lines.push(`  - ${who(o)} (${o.stage}, ${o.score.toFixed(1)})`);
  return lines.join('\n');
}
