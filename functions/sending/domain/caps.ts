import type { Category } from './contract.js';
import { dayKey, nextDayStart, nextWeekStart, weekKey } from './windows.js';

/**
 * The send counter. One DynamoDB item per recipient (pk `p#<id>`, sk `caps`) holds one counter attribute
 * per window (`md#2025-03-14` = marketing mails on that local day, `mw#2025-W11` that ISO week, `td#`/`tw#`
 * transactional, `sd#<scenario>#…`/`sw#<scenario>#…` per scenario) and one claim attribute per send in
 * flight or recently sent (`k#<sendId>`). A single conditional UpdateItem checks every applicable window
 * and the claim and increments them all at once, so the caps hold under any concurrency without a
 * transaction.
 */

/** Limits per window; an absent limit means the window is counted but not capped. */
export interface WindowCaps {
  perDay?: number;
  perWeek?: number;
}

export interface CapsConfig {
  marketing: WindowCaps;
  /** Transactional mail is exempt from marketing caps; these are a safety net against runaway loops. */
  transactional: WindowCaps;
  /** Extra caps for mail sent by one scenario (by scenario id), on top of the category's. */
  scenarios: Record<string, WindowCaps>;
}

/** Defaults when configuration says nothing: 1 marketing mail a day, 3 a week; 20/100 transactional. */
export const defaultCaps: CapsConfig = {
  marketing: { perDay: 1, perWeek: 3 },
  transactional: { perDay: 20, perWeek: 100 },
  scenarios: {},
};

/** How long a claim is kept on the counter item: a retry with the same key within this time never sends twice. */
export const claimRetentionMs = 7 * 24 * 3_600_000;

export interface Counter {
  /** Attribute name on the caps item. */
  attr: string;
  window: 'day' | 'week';
  scope: 'marketing' | 'transactional' | 'scenario';
  limit?: number;
  /** When this window closes and the next one opens. */
  opensAt: Date;
}

/** A claim: who holds the send (since `at`) and which counters it incremented (to release exactly those). */
export interface Claim {
  /** Epoch ms of the reservation. */
  at: number;
  counters: string[];
}

/** The caps item as read: counter values and claims by attribute name. */
export type CapsItem = Record<string, unknown>;

export const claimAttr = (sendId: string) => `k#${sendId}`;

/** Counters that a send of `category` (and `scenarioId`) at `now` in `timeZone` increments. */
export function countersFor(
  now: Date,
  timeZone: string,
  category: Category,
  scenarioId: string | undefined,
  caps: CapsConfig,
): Counter[] {
  const day = dayKey(now, timeZone);
  const week = weekKey(now, timeZone);
  const dayOpens = nextDayStart(now, timeZone);
  const weekOpens = nextWeekStart(now, timeZone);
  const prefix = category === 'marketing' ? 'm' : 't';
  const own = caps[category];
  const counters: Counter[] = [
    { attr: `${prefix}d#${day}`, window: 'day', scope: category, opensAt: dayOpens, ...limit(own.perDay) },
    { attr: `${prefix}w#${week}`, window: 'week', scope: category, opensAt: weekOpens, ...limit(own.perWeek) },
  ];
  const scenario = scenarioId ? caps.scenarios[scenarioId] : undefined;
  if (scenario) {
    if (scenario.perDay !== undefined) {
      counters.push({ attr: `sd#${scenarioId}#${day}`, window: 'day', scope: 'scenario', opensAt: dayOpens, limit: scenario.perDay });
    }
    if (scenario.perWeek !== undefined) {
      counters.push({ attr: `sw#${scenarioId}#${week}`, window: 'week', scope: 'scenario', opensAt: weekOpens, limit: scenario.perWeek });
    }
  }
  return counters;
}

function limit(n: number | undefined): { limit?: number } {
  return n === undefined ? {} : { limit: n };
}

/** Counters already at their limit in `item`. */
export function fullCounters(counters: Counter[], item: CapsItem): Counter[] {
  return counters.filter((c) => c.limit !== undefined && Number(item[c.attr] ?? 0) >= c.limit);
}

/** The claim for `sendId` in `item`, if any. */
export function claimOf(item: CapsItem, sendId: string): Claim | undefined {
  const claim = item[claimAttr(sendId)];
  if (!claim || typeof claim !== 'object') return undefined;
  const c = claim as { at?: unknown; counters?: unknown };
  return { at: Number(c.at), counters: Array.isArray(c.counters) ? c.counters.map(String) : [] };
}

const windowAttr = /^(md|mw|td|tw)#|^s[dw]#/;

/**
 * Attributes a reservation may remove to keep the item small: counters of windows other than the
 * current ones (only current windows are ever checked) and claims older than claimRetentionMs.
 */
export function staleAttributes(item: CapsItem, current: Counter[], now: Date): string[] {
  const keep = new Set(current.map((c) => c.attr));
  const stale: string[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (windowAttr.test(name) && !keep.has(name)) stale.push(name);
    else if (name.startsWith('k#')) {
      const at = Number((value as { at?: unknown } | null)?.at);
      if (!(at > now.getTime() - claimRetentionMs)) stale.push(name);
    }
  }
  return stale;
}

/** When every full window has reopened: the latest opening among them. */
export function reopensAt(full: Counter[]): Date {
  return new Date(Math.max(...full.map((c) => c.opensAt.getTime())));
}

/** Human-readable name of the tightest full counter, e.g. `marketing per day (1)`. */
export function describeFull(full: Counter[]): string {
  return full.map((c) => `${c.scope} per ${c.window} (${c.limit})`).join(', ');
}
