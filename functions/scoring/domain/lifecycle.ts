/**
 * Customer lifecycle states, computed from a person's orders (track events named in
 * `lifecycle.customerEvents`, by default the stage's customer events: Order Completed). Pure: the stream
 * processor folds each order into the profile's PurchaseSummary (`withOrder`) and stores the state; the
 * daily sweep re-evaluates people whose state changes with time alone, at `nextLifecycleBoundary`.
 *
 * States, first match wins (d = time since the last order; thresholds from the rules document):
 * - `prospect`: no order counted.
 * - `churned`:  d ≥ churnedAfterDays.
 * - `at_risk`:  d ≥ atRiskFactor × usual interval, within [atRiskMinDays, atRiskMaxDays] (one order: the
 *   interval is unknown, so atRiskMaxDays). The usual interval is the median gap between the kept latest
 *   orders: a median, not a mean, so one long pause does not make every later pause look usual.
 * - `new`:      first order less than newWithinDays ago (a second order does not end it; time does).
 * - `loyal`:    ≥ loyalOrders orders, or ≥ loyalRevenue in total when set.
 * - `active`:   any other customer.
 * Each boundary belongs to the later state: exactly newWithinDays after the first order a customer is no
 * longer new; exactly churnedAfterDays after the last one they are churned.
 *
 * Transitions:
 *   prospect ─order→ new
 *   new ─time→ active | loyal | at_risk | churned (whichever holds when newWithinDays have passed)
 *   active ─order→ loyal (at loyalOrders)      active | loyal ─time→ at_risk ─time→ churned
 *   at_risk | churned ─order→ active | loyal   (a late order older than the last changes nothing of d)
 * By time alone a state only moves towards churned; an order only moves away from it. A state never
 * returns to prospect or (after newWithinDays) to new.
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { idKey, lifecycleStates, type LifecycleState, type PurchaseSummary } from '../../profiles/domain/profile.js';
import { lifecycleDefaults, type LifecycleRules, type RulesDoc } from './rules.js';

// The states and the summary's shape belong to the profile item (profiles/domain/profile.ts).
export { lifecycleStates, type LifecycleState, type PurchaseSummary };

/**
 * Orders whose id and time the summary keeps (the latest by time). Bounded because the summary rides on
 * the profile item, rewritten with every update: 12 entries of [6-char id key, 24-char ISO time] weigh
 * about 0.5 KB. Twelve give eleven gaps for the usual interval, and recognize a replayed order among the
 * latest twelve; an older one is recognized by its time (see withOrder).
 */
export const ordersKept = 12;
/** Largest revenue one order adds (larger values are taken as this): keeps the total a finite, storable number. */
export const maxOrderRevenue = 1e12;

const dayMs = 86_400_000;

/** One order as the summary takes it. */
export interface Order {
  /** properties.order_id (or orderId), else the event's messageId. */
  id: string;
  /** Order time (ISO). */
  at: string;
  revenue?: number;
}

/** Thresholds in force: the rules document's `lifecycle` block with its customer events resolved. */
export type LifecycleThresholds = Omit<LifecycleRules, 'customerEvents'> & { customerEvents: string[] };

/** The thresholds of a rules document (customer events fall back to stages.customerEvents). */
export function lifecycleThresholds(doc: Pick<RulesDoc, 'stages'> & { lifecycle?: LifecycleRules }): LifecycleThresholds {
  const block = doc.lifecycle ?? { ...lifecycleDefaults };
  return { ...block, customerEvents: block.customerEvents ?? doc.stages.customerEvents };
}

/**
 * The order a track event stands for, if its name is one of the customer events. Its id is the order's own
 * id when the event carries one (so a shop sending the same order twice, with two message ids, counts it
 * once), else the message id; its revenue is properties.revenue, else properties.total (as in the lake).
 */
export function orderOf(event: Pick<CollectedEvent, 'type' | 'event' | 'messageId' | 'timestamp' | 'properties'>, customerEvents: readonly string[]): Order | undefined {
  if (event.type !== 'track' || !event.event || !customerEvents.includes(event.event)) return undefined;
  const p = event.properties ?? {};
  const own = [p.order_id, p.orderId].find((v) => (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v)));
  const money = [p.revenue, p.total].find((v) => typeof v === 'number' && Number.isFinite(v)) as number | undefined;
  return { id: own === undefined ? `m:${event.messageId}` : `o:${String(own)}`, at: event.timestamp, ...(money === undefined ? {} : { revenue: money }) };
}

const byTime = (a: [string, string], b: [string, string]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The summary with `order` counted. Idempotent: an order already counted changes nothing, whenever it
 * comes again. Orders may arrive in any order: the kept window is sorted by time, and first/last are
 * the extremes. An order is known to be new when it is in the kept window's range and not in it (the
 * window holds every counted order that late), when the window is not full (it holds them all), or when
 * it is older than the first order. One that is none of these (older than the latest ordersKept orders,
 * but not older than the first) may have been counted and evicted: it is not counted, so a re-import of
 * a long history never counts an order twice; only an order that late, and arriving out of order, is lost.
 * An order without a valid time changes nothing.
 */
export function withOrder(summary: PurchaseSummary | undefined, order: Order): PurchaseSummary | undefined {
  const ms = Date.parse(order.at);
  if (!Number.isFinite(ms)) return summary;
  const at = new Date(ms).toISOString();
  const entry: [string, string] = [idKey(order.id), at];
  const revenue = Math.min(maxOrderRevenue, Math.max(0, Number.isFinite(order.revenue) ? order.revenue! : 0));
  if (!summary) return { orders: 1, firstAt: at, lastAt: at, revenue, recent: [entry] };
  if (summary.recent.some(([k]) => k === entry[0])) return summary;
  const full = summary.recent.length >= ordersKept;
  const oldest = summary.recent[0];
  const inWindow = !full || !oldest || byTime(oldest, entry) < 0;
  if (!inWindow && at >= summary.firstAt) return summary;
  return {
    orders: summary.orders + 1,
    firstAt: at < summary.firstAt ? at : summary.firstAt,
    lastAt: at > summary.lastAt ? at : summary.lastAt,
    revenue: summary.revenue + revenue,
    recent: inWindow ? [...summary.recent, entry].sort(byTime).slice(-ordersKept) : summary.recent,
  };
}

/**
 * Two profiles' summaries as one (a merge). Orders counted on both (the same order id) count once when
 * both still keep it among their latest ordersKept; the kept window is the latest ordersKept of both.
 * Limit: an order counted on both but kept by neither window counts twice, and an order counted twice
 * also adds its revenue twice (the summary keeps no revenue per order). Both need the same order to
 * reach two profiles before they merge, with an order id, and ordersKept later orders on each since.
 */
export function mergePurchases(a: PurchaseSummary | undefined, b: PurchaseSummary | undefined): PurchaseSummary | undefined {
  if (!a || !b) return a ?? b;
  const keysA = new Set(a.recent.map(([k]) => k));
  const shared = b.recent.filter(([k]) => keysA.has(k)).length;
  const union = [...a.recent, ...b.recent.filter(([k]) => !keysA.has(k))].sort(byTime).slice(-ordersKept);
  return {
    orders: a.orders + b.orders - shared,
    firstAt: a.firstAt < b.firstAt ? a.firstAt : b.firstAt,
    lastAt: a.lastAt > b.lastAt ? a.lastAt : b.lastAt,
    revenue: a.revenue + b.revenue,
    recent: union,
  };
}

/** The usual time between orders (ms): the median gap between the kept orders; undefined with one order. */
export function usualIntervalMs(summary: PurchaseSummary): number | undefined {
  const times = summary.recent.map(([, t]) => Date.parse(t));
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  if (gaps.length === 0) return undefined;
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/** How long after the last order a customer becomes at risk (ms, whole). */
export function atRiskAfterMs(summary: PurchaseSummary, th: LifecycleThresholds): number {
  const usual = usualIntervalMs(summary);
  const wait = usual === undefined ? th.atRiskMaxDays * dayMs : th.atRiskFactor * usual;
  return Math.round(Math.min(th.atRiskMaxDays * dayMs, Math.max(th.atRiskMinDays * dayMs, wait)));
}

export interface Lifecycle {
  state: LifecycleState;
  /**
   * When the state began, as far as the summary tells (ISO): the first order (new), the boundary crossed
   * (at risk, churned), else the later of the last order and the end of `new`. Absent for prospects.
   */
  since?: string;
}

/** The lifecycle state at `now` (ISO or Date). */
export function lifecycleState(summary: PurchaseSummary | undefined, now: string | Date, th: LifecycleThresholds): Lifecycle {
  if (!summary || summary.orders < 1) return { state: 'prospect' };
  const t = typeof now === 'string' ? Date.parse(now) : now.getTime();
  const first = Date.parse(summary.firstAt);
  const last = Date.parse(summary.lastAt);
  const iso = (ms: number) => new Date(ms).toISOString();
  const churnAt = last + Math.round(th.churnedAfterDays * dayMs);
  if (t >= churnAt) return { state: 'churned', since: iso(churnAt) };
  const riskAt = last + atRiskAfterMs(summary, th);
  if (t >= riskAt) return { state: 'at_risk', since: iso(riskAt) };
  const newUntil = first + Math.round(th.newWithinDays * dayMs);
  if (t < newUntil) return { state: 'new', since: summary.firstAt };
  const since = iso(Math.max(last, newUntil));
  const loyal = summary.orders >= th.loyalOrders || (th.loyalRevenue !== undefined && summary.revenue >= th.loyalRevenue);
  return { state: loyal ? 'loyal' : 'active', since };
}

/**
 * The next time after `now` at which the state changes by time alone (no further order), or undefined
 * when it never will (prospects, churned). The sweep keeps people due in an index by this time and
 * re-evaluates only them, never scanning. A new order moves it: recompute it with every update.
 */
export function nextLifecycleBoundary(summary: PurchaseSummary | undefined, now: string | Date, th: LifecycleThresholds): Date | undefined {
  if (!summary || summary.orders < 1) return undefined;
  const t = typeof now === 'string' ? Date.parse(now) : now.getTime();
  const first = Date.parse(summary.firstAt);
  const last = Date.parse(summary.lastAt);
  const current = lifecycleState(summary, new Date(t), th).state;
  const candidates = [first + Math.round(th.newWithinDays * dayMs), last + atRiskAfterMs(summary, th), last + Math.round(th.churnedAfterDays * dayMs)]
    .filter((c) => c > t)
    .sort((a, b) => a - b);
  const next = candidates.find((c) => lifecycleState(summary, new Date(c), th).state !== current);
  return next === undefined ? undefined : new Date(next);
}

/**
 * The stored lifecycle after an update or a sweep: `changed` when the state differs from the stored one
 * (then publish `lead.lifecycle_changed`). An unchanged state keeps its stored `since`, so a further order
 * of an active customer does not move the time they became active.
 */
export function nextLifecycle(
  stored: Lifecycle | undefined,
  summary: PurchaseSummary | undefined,
  now: string | Date,
  th: LifecycleThresholds,
): Lifecycle & { changed: boolean } {
  const computed = lifecycleState(summary, now, th);
  const before = stored?.state ?? 'prospect';
  if (computed.state === before) return { ...computed, ...(stored?.since ? { since: stored.since } : {}), changed: false };
  return { ...computed, changed: true };
}

/**
 * The idempotency key (messageId) of a lifecycle change: the same change computed again, by a replayed
 * update or a sweep that runs twice, publishes once.
 */
export function lifecycleChangeId(profileId: string, change: Lifecycle): string {
  return `lifecycle:${profileId}:${change.state}:${change.since ?? ''}`;
}
