import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { boundEntry, latest, withinBounds } from '../../profiles/domain/bounds.js';
import type { ScoreFold } from '../../profiles/domain/merge.js';
import {
  activityDataBytes,
  anonymousIdsKept,
  idKey,
  lastSeenStepMs,
  recentActivityKept,
  recentIdsKept,
  type ScoringState,
  seenEventsKept,
  type Stage,
} from '../../profiles/domain/profile.js';
import { storableValue } from '../../profiles/domain/storable.js';
import { touchOf, withTouch } from '../../profiles/domain/touch.js';
import { applyIdentity } from '../../profiles/domain/traits.js';
import type { ActivityDetail, LeadIdentified, LeadLifecycleChanged, LeadMerged, LeadStageChanged, SegmentEntered, SegmentExited } from '../../shared/domain-events.js';
import { decayFactor } from './decay.js';
import { lifecycleThresholds, mergePurchases, orderOf, withOrder } from './lifecycle.js';
import { lifecycleStep } from './lifecycle-step.js';
import { matchesEvent, pathOf, testFields } from './match.js';
import { type BehaviourRule, isFit, type RulesDoc, stageOrder } from './rules.js';

/** A domain event to publish once the state that produced it is stored. */
export type DomainEventOut =
  | { detailType: 'lead.identified'; detail: LeadIdentified }
  | { detailType: 'lead.merged'; detail: LeadMerged }
  | { detailType: 'lead.stage_changed'; detail: LeadStageChanged }
  | { detailType: 'lead.lifecycle_changed'; detail: LeadLifecycleChanged }
  | { detailType: 'segment.entered'; detail: SegmentEntered }
  | { detailType: 'segment.exited'; detail: SegmentExited }
  | { detailType: string; activity: true; detail: ActivityDetail };

export interface ApplyResult {
  state: ScoringState;
  events: DomainEventOut[];
  /** How many events were applied (not duplicates). */
  applied: number;
}

/** Heartbeats: scored by rules like any event, but not passed to the bus (they are most of the traffic). */
export const heartbeatEvent = 'Page Ping';
/** Points granted by a scenario's `update` step arrive as this track event (properties.points, scenarioId). */
export const scenarioPointsEvent = 'Scenario Points Added';
/** Largest number of points one scenario step may grant or take away. */
export const maxScenarioPoints = 1000;

/** The points a scenario step grants, as an ad-hoc rule `scenario-<id>` so the breakdown explains them. */
function scenarioPoints(event: CollectedEvent): { rule: BehaviourRule } | undefined {
  if (event.type !== 'track' || event.event !== scenarioPointsEvent) return undefined;
  const points = Number(event.properties?.points);
  if (!Number.isFinite(points) || points === 0 || Math.abs(points) > maxScenarioPoints) return undefined;
  const scenario = String(event.properties?.scenarioId ?? 'step').replace(/[^a-z0-9-_]/gi, '').slice(0, 40).toLowerCase();
  return { rule: { id: `scenario-${scenario}`, match: {}, points } };
}

/** detail-type of a known lead's page view on the bus. */
export const pageViewed = 'Page Viewed';

const dayOf = (iso: string) => iso.slice(0, 10);
const later = (a: string, b: string) => (a > b ? a : b);

function addPoints(state: ScoringState, rule: BehaviourRule, points: number, at: string, h: number | undefined) {
  const s = state.score;
  if (at >= s.asOf) {
    const f = decayFactor(s.asOf, at, h);
    if (f !== 1) {
      s.value *= f;
      for (const k of Object.keys(s.categories)) s.categories[k]! *= f;
      for (const k of Object.keys(s.rules)) s.rules[k]! *= f;
    }
    s.asOf = at;
    s.value += points;
    if (rule.category) s.categories[rule.category] = (s.categories[rule.category] ?? 0) + points;
    s.rules[rule.id] = (s.rules[rule.id] ?? 0) + points;
  } else {
    // A late event: its points have already decayed by the time the score is stated for.
    const p = points * decayFactor(at, s.asOf, h);
    s.value += p;
    if (rule.category) s.categories[rule.category] = (s.categories[rule.category] ?? 0) + p;
    s.rules[rule.id] = (s.rules[rule.id] ?? 0) + p;
  }
}

/** Checks and counts a rule's per-day / ever limit; false when the limit is reached. */
function withinLimit(state: ScoringState, rule: BehaviourRule, at: string): boolean {
  if (!rule.limit) return true;
  const day = dayOf(at);
  const c = state.limits[rule.id] ?? { day, today: 0, ever: 0 };
  if (c.day !== day) {
    c.day = day;
    c.today = 0;
  }
  if (rule.limit.perDay !== undefined && c.today >= rule.limit.perDay) return false;
  if (rule.limit.ever !== undefined && c.ever >= rule.limit.ever) return false;
  c.today++;
  c.ever++;
  state.limits[rule.id] = c;
  return true;
}

/** Records a match of a repeat rule; true when the repeat condition fires now. */
function repeatFires(state: ScoringState, rule: BehaviourRule, at: string): boolean {
  const repeat = rule.repeat;
  if (!repeat) return true;
  const windowMs = repeat.withinDays * 86_400_000;
  const r = state.repeats[rule.id] ?? { times: [] };
  r.times = [...r.times, at].filter((t) => Date.parse(at) - Date.parse(t) <= windowMs).sort().slice(-repeat.atLeast);
  state.repeats[rule.id] = r;
  if (r.times.length < repeat.atLeast) return false;
  if (r.firedAt && Date.parse(at) - Date.parse(r.firedAt) <= windowMs) return false;
  if (repeat.unless?.some((e) => state.seenEvents.includes(e))) return false;
  r.firedAt = at;
  return true;
}

/** Re-evaluates fit rules against the traits; returns true when fit points changed. */
export function evaluateFit(state: ScoringState, rules: RulesDoc): boolean {
  const fitRules: Record<string, number> = {};
  let fit = 0;
  for (const rule of rules.rules) {
    if (!isFit(rule)) continue;
    if (Object.keys(state.traits).length > 0 && testFields(rule.traits, state.traits)) {
      fitRules[rule.id] = rule.points;
      fit += rule.points;
    }
  }
  const changed = fit !== state.score.fit || JSON.stringify(fitRules) !== JSON.stringify(state.score.fitRules);
  state.score.fit = fit;
  state.score.fitRules = fitRules;
  return changed;
}

/** The stage the score and lifecycle call for, never moving a profile backwards. */
function targetStage(state: ScoringState, rules: RulesDoc, now: string, customer: boolean, floor?: Stage): Stage {
  const current = state.stage === 'dormant' ? (state.stageBeforeDormant ?? 'known') : state.stage;
  const total = state.score.value * decayFactor(state.score.asOf, now, rules.halfLifeDays) + state.score.fit;
  let want: Stage = state.known ? 'known' : 'anonymous';
  if (state.known && total >= rules.stages.mql) want = 'mql';
  if (state.known && total >= rules.stages.sql) want = 'sql';
  if (customer) want = 'customer';
  // A trusted stage floor (an inbound CRM update's `nurture.minStage`) raises the stage, never lowers it.
  if (floor && stageOrder.indexOf(floor) > stageOrder.indexOf(want)) want = floor;
  return stageOrder.indexOf(want) > stageOrder.indexOf(current) ? want : current;
}

function applyIdentify(state: ScoringState, event: CollectedEvent, out: DomainEventOut[]) {
  if (!applyIdentity(state, event)) return;
  out.push({
    detailType: 'lead.identified',
    detail: {
      profileId: state.profileId,
      messageId: event.messageId,
      occurredAt: event.timestamp,
      ...(state.email ? { email: state.email } : {}),
      ...(state.userId ? { userId: state.userId } : {}),
    },
  });
}

/**
 * Applies a profile's events (in stream order) to its state. Pure: the caller stores the state and
 * publishes `events` after the store succeeded. Duplicates (by messageId, among the profile's latest
 * `recentIdsKept` messages) change nothing.
 */
export function applyEvents(input: ScoringState, events: CollectedEvent[], rules: RulesDoc, now: string): ApplyResult {
  const state: ScoringState = structuredClone(input);
  const out: DomainEventOut[] = [];
  const h = rules.halfLifeDays;
  let applied = 0;
  let customer = false;
  let floor: Stage | undefined;
  let traitsChanged = false;
  // The exact time of the latest event; the stored lastSeenAt follows it in steps of lastSeenStepMs.
  let seen = state.lastSeenAt;
  const behaviour = rules.rules.filter((r): r is BehaviourRule => !isFit(r));
  const lifecycle = lifecycleThresholds(rules);

  if (state.stage === 'dormant' && events.length > 0) {
    state.stage = state.stageBeforeDormant ?? (state.known ? 'known' : 'anonymous');
    delete state.stageBeforeDormant;
  }

  for (const event of events) {
    const key = idKey(event.messageId);
    if (state.recentIds.includes(key)) continue;
    state.recentIds = [...state.recentIds, key].slice(-recentIdsKept);
    applied++;
    state.createdAt ??= event.timestamp;
    seen = seen ? later(seen, event.timestamp) : event.timestamp;
    if (!state.timezone && typeof event.context.timezone === 'string') state.timezone = event.context.timezone;
    if (event.anonymousId && !state.anonymousIds.includes(event.anonymousId)) {
      state.anonymousIds = [...state.anonymousIds, event.anonymousId].slice(-anonymousIdsKept);
    }

    const minStage = event.nurture?.minStage;
    if (minStage && (!floor || stageOrder.indexOf(minStage) > stageOrder.indexOf(floor))) floor = minStage;
    if (event.type === 'identify' || event.type === 'alias') {
      applyIdentify(state, event, out);
      traitsChanged = true;
    }
    if (event.type === 'track' && event.event) {
      if (!state.seenEvents.includes(event.event)) state.seenEvents = [...state.seenEvents, event.event].slice(-seenEventsKept);
      if (rules.stages.customerEvents.includes(event.event)) customer = true;
      const order = orderOf(event, lifecycle.customerEvents);
      if (order) {
        const purchases = withOrder(state.purchases, order);
        if (purchases) state.purchases = purchases;
      }
    }

    const pts: [string, number][] = [];
    const granted = scenarioPoints(event);
    if (granted) {
      addPoints(state, granted.rule, granted.rule.points, event.timestamp, h);
      pts.push([granted.rule.id, granted.rule.points]);
    }
    for (const rule of behaviour) {
      if (!matchesEvent(rule.match, event, state.traits)) continue;
      if (!repeatFires(state, rule, event.timestamp)) continue;
      if (!withinLimit(state, rule, event.timestamp)) continue;
      addPoints(state, rule, rule.points, event.timestamp, h);
      pts.push([rule.id, rule.points]);
      if (rule.emit) out.push(activity(state, event, rule.emit, `${event.messageId}:${rule.id}`, rules, now));
    }

    const path = pathOf(event);
    withTouch(state, touchOf(event, path));
    const name = event.type === 'track' ? event.event : event.name;
    // The item keeps the latest business events (forms, orders, email engagement, identifies) for
    // scenarios to check at once; page views and heartbeats, most of the traffic, are in the lake only.
    const data = event.type === 'identify' || event.type === 'alias' ? event.traits : event.properties;
    const keep = data && Object.keys(data).length > 0 && JSON.stringify(data).length <= activityDataBytes && storableValue(data);
    if (event.type !== 'page' && event.event !== heartbeatEvent) state.recent.push(
      boundEntry({
        id: event.messageId,
        t: event.timestamp,
        type: event.type,
        ...(name ? { name } : {}),
        ...(path ? { path } : {}),
        ...(pts.length > 0 ? { pts } : {}),
        ...(keep ? { data } : {}),
      }),
    );

    if (event.type === 'track' && event.event && event.event !== heartbeatEvent) {
      out.push(activity(state, event, event.event, event.messageId, rules, now));
    }
    // Page views of known leads reach the bus (scenario triggers and goals such as "came back to the
    // site"); anonymous page views, most of all traffic, do not: the bus charges per event.
    if (event.type === 'page' && state.known) {
      const withPath = { ...event, properties: { ...(event.properties ?? {}), ...(path ? { path } : {}) } };
      out.push(activity(state, withPath, pageViewed, event.messageId, rules, now));
    }
  }

  // Traits stored before their bounds existed shrink here; fit follows what is kept.
  const traitCount = Object.keys(state.traits).length;
  withinBounds(state);
  if (Object.keys(state.traits).length !== traitCount) traitsChanged = true;
  if (traitsChanged || input.rulesVersion !== rules.version) evaluateFit(state, rules);
  state.rulesVersion = rules.version;

  // Older entries leave the item: the event lake keeps the whole history.
  if (state.recent.length > recentActivityKept) {
    state.recent.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    state.recent.splice(0, state.recent.length - recentActivityKept);
  }
  if (seen && (!state.lastSeenAt || Date.parse(seen) - Date.parse(state.lastSeenAt) >= lastSeenStepMs)) state.lastSeenAt = seen;

  // Stages are judged at the time of the latest event, not when the batch happens to be processed, so
  // a replay or a slow shard reaches the same verdict.
  const judgedAt = seen ?? now;
  const last = events.at(-1);
  const to = targetStage(state, rules, judgedAt, customer, floor);
  if (to !== state.stage && last) {
    const total = round(state.score.value * decayFactor(state.score.asOf, judgedAt, h) + state.score.fit);
    // One event per step, so a scenario waiting for MQL still hears of a lead that jumped to SQL.
    for (let i = stageOrder.indexOf(state.stage) + 1; i <= stageOrder.indexOf(to); i++) {
      const from = stageOrder[i - 1]!;
      const next = stageOrder[i]!;
      if (next === 'known' && !state.known) continue;
      out.push({
        detailType: 'lead.stage_changed',
        detail: { profileId: state.profileId, messageId: `${last.messageId}:${next}`, occurredAt: last.timestamp, from, to: next, score: total },
      });
    }
    state.stage = to;
  }
  const lifecycleChange = lifecycleStep(state, judgedAt, last?.timestamp ?? judgedAt, lifecycle);
  if (lifecycleChange) out.push(lifecycleChange);
  return { state, events: out, applied };
}

function round(n: number) {
  return Math.round(n * 100) / 100;
}

function activity(state: ScoringState, event: CollectedEvent, name: string, messageId: string, rules: RulesDoc, now: string): DomainEventOut {
  return {
    detailType: name,
    activity: true,
    detail: {
      profileId: state.profileId,
      messageId,
      occurredAt: event.timestamp,
      type: event.type,
      event: name,
      properties: event.properties ?? {},
      // The score as of the event (points are never stated for a later moment than the state knows).
      score: round(state.score.value * decayFactor(state.score.asOf, later(state.score.asOf, event.timestamp), rules.halfLifeDays) + state.score.fit),
      stage: state.stage,
    },
  };
}

/**
 * Scoring's part of a merge (profiles/domain/merge.ts does the rest): scores aligned in time before
 * adding, rule counters added, the further stage kept, fit re-evaluated on the merged traits.
 */
export function foldScores(rules: RulesDoc): ScoreFold {
  const h = rules.halfLifeDays;
  const repeatsKept = new Map(rules.rules.flatMap((r) => (!isFit(r) && r.repeat ? [[r.id, r.repeat.atLeast] as const] : [])));
  return (s, survivor, other) => {
    const asOf = later(survivor.score.asOf, other.score.asOf);
    const fs = decayFactor(survivor.score.asOf, asOf, h);
    const fo = decayFactor(other.score.asOf, asOf, h);
    const sum = (a: Record<string, number>, b: Record<string, number>) => {
      const r: Record<string, number> = {};
      for (const [k, v] of Object.entries(a)) r[k] = v * fs;
      for (const [k, v] of Object.entries(b)) r[k] = (r[k] ?? 0) + v * fo;
      return r;
    };
    s.score = {
      value: survivor.score.value * fs + other.score.value * fo,
      asOf,
      fit: survivor.score.fit,
      categories: sum(survivor.score.categories, other.score.categories),
      rules: sum(survivor.score.rules, other.score.rules),
      fitRules: survivor.score.fitRules,
    };
    for (const [id, c] of Object.entries(other.limits)) {
      const mine = s.limits[id];
      s.limits[id] = mine && mine.day === c.day ? { day: c.day, today: mine.today + c.today, ever: mine.ever + c.ever } : { ...c, ever: c.ever + (mine?.ever ?? 0) };
    }
    for (const [id, r] of Object.entries(other.repeats)) {
      const mine = s.repeats[id] ?? { times: [] };
      // A repeat window needs only its latest `atLeast` times (a rule no longer in force: none).
      const keep = repeatsKept.get(id);
      const times = keep === undefined ? [] : latest([...mine.times, ...r.times].sort(), keep);
      s.repeats[id] = { times, ...(mine.firedAt || r.firedAt ? { firedAt: later(mine.firedAt ?? '', r.firedAt ?? '') } : {}) };
    }
    if (stageOrder.indexOf(other.stage) > stageOrder.indexOf(s.stage)) s.stage = other.stage;
    // The survivor's lifecycle state stays stored; the update that follows the merge recomputes it from
    // the merged purchases and announces a change (lifecycleStep).
    const purchases = mergePurchases(survivor.purchases, other.purchases);
    if (purchases) s.purchases = purchases;
    evaluateFit(s, rules);
  };
}

/** The domain event of a merge (published once the merged state is stored). */
export function mergedEvent(survivorId: string, mergedId: string, messageId: string, at: string): DomainEventOut {
  return { detailType: 'lead.merged', detail: { profileId: survivorId, mergedProfileId: mergedId, messageId, occurredAt: at } };
}
