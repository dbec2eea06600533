/**
 * What the event lake says after a demo run, read through the admin API's analytics reports (the answers a
 * marketer gets from `GET /v1/admin/analytics/{report}` and `nurture analytics`): visits and visitors, the
 * top pages with their dwell, the people who came back to pricing without an order (checked against the
 * run's own pricing repeaters), pricing → Form Submitted, and the channels. First it waits for the run's
 * events to reach the lake: the stream processor writes them through Firehose, which buffers them (1 s in
 * local mode) before a file appears.
 */
import { DuckDbEngine } from '../functions/analytics/adapters/duckdb-engine.js';
import { dtOf } from '../functions/analytics/domain/lake.js';
import { limits } from '../functions/ingest/domain/limits.js';
import { OutcomeReadError } from './outcome.js';
import type { TrafficResult } from './run-traffic.js';

/** How long the demo waits for the run's events to reach the lake, and how often it looks. */
export const lakeWaitLimits = { maxWaitMs: 30_000, pollMs: 500 } as const;

/** How much of the run the lake holds: distinct events received since the run began, against those sent. */
export interface LakeArrival {
  rows: number;
  expected: number;
  complete: boolean;
}

/**
 * Events in the lake folder received by the API since `since`, each counted once (delivery is at least
 * once). Only the partitions an event of the run can fall in are read: ingest replaces timestamps older
 * than maxClockSkewMs with the receipt time.
 */
async function rowsSince(engine: DuckDbEngine, since: Date): Promise<number> {
  const firstDay = dtOf(since.getTime() - limits.maxClockSkewMs - 86_400_000);
  const { rows } = await engine.query(`SELECT count(DISTINCT message_id) AS n FROM events WHERE dt >= '${firstDay}' AND received >= ${since.getTime()}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Polls the lake folder until it holds the run's human events (bots never reach the lake), or `maxWaitMs`
 * passed. Other traffic during the run only adds rows, so "at least" is the test.
 */
export async function waitForLake(lakeDir: string, traffic: Pick<TrafficResult, 'startedAt' | 'humanEvents'>, maxWaitMs: number = lakeWaitLimits.maxWaitMs): Promise<LakeArrival> {
  const engine = await DuckDbEngine.open(lakeDir);
  try {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const rows = await rowsSince(engine, traffic.startedAt);
      const complete = rows >= traffic.humanEvents;
      if (complete || Date.now() >= deadline) return { rows, expected: traffic.humanEvents, complete };
      await new Promise((r) => setTimeout(r, lakeWaitLimits.pollMs));
    }
  } finally {
    engine.close();
  }
}

/** The page glob and the goal the summary follows: the demo's pricing page, and the contact form. */
export const pricingGlob = '/pricing*';
export const inquiryEvent = 'Form Submitted';
/** Pages the summary names, most viewed first. */
export const topPageCount = 3;
/** Profiles looked up at once when matching the run's pricing repeaters to the report's members. */
const lookupConcurrency = 8;

export interface PageLine {
  page: string;
  page_views: number;
  visitors: number;
  avg_dwell_seconds: number;
}

export interface ChannelLine {
  /** The channel group (functions/channels/domain/registry.ts channelGroups). */
  channel: string;
  /** The medium's id and display name in the media registry. */
  medium: string;
  medium_name: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  referrer_domain: string | null;
  visits: number;
  people: number;
  leads: number;
  orders: number;
}

export interface AccessLogs {
  /** The reports' window (UTC days, the default last 30). */
  from: string;
  to: string;
  traffic: { visits: number; visitors: number; known_visitors: number; anonymous_visitors: number };
  topPages: PageLine[];
  /** repeat-visitors with `path=/pricing*` (defaults: 3 visits within 7 days, without Order Completed). */
  pricingRepeat: {
    visits: number;
    days: number;
    members: number;
    /** The run's pricing repeaters (persona), and how many of them are members. */
    runRepeaters: number;
    runRepeatersIn: number;
  };
  /** funnel `/pricing*` → `event:Form Submitted` (within 7 days). */
  funnel: { entered: number; reached: number; medianSeconds: number | null };
  channels: ChannelLine[];
}

export interface AccessLogSource {
  apiUrl: string;
  adminToken: string;
}

async function get<T>(src: AccessLogSource, path: string): Promise<T> {
  const res = await fetch(`${src.apiUrl.replace(/\/$/, '')}${path}`, { headers: { authorization: `Bearer ${src.adminToken}` } });
  if (res.status !== 200) throw new OutcomeReadError(`GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

const report = <T>(src: AccessLogSource, name: string, query: Record<string, string> = {}) =>
  get<T & { parameters: Record<string, unknown> }>(src, `/v1/admin/analytics/${name}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`);

/** The profile id each address belongs to now (after merges), looked up a few at a time. */
async function profileIds(src: AccessLogSource, emails: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < emails.length; i += lookupConcurrency) {
    const found = await Promise.all(
      emails.slice(i, i + lookupConcurrency).map((e) => get<{ profile?: { profileId?: string } }>(src, `/v1/admin/profiles/email:${encodeURIComponent(e)}`).then((r) => r.profile?.profileId)),
    );
    ids.push(...found.filter((id): id is string => typeof id === 'string'));
  }
  return ids;
}

/** Reads the reports the summary's access-log section is made of. */
export async function readAccessLogs(src: AccessLogSource, traffic: Pick<TrafficResult, 'people'>): Promise<AccessLogs> {
  const repeaterEmails = traffic.people.filter((p) => p.persona === 'pricing repeater').map((p) => p.email);
  const [t, pages, repeat, funnel, channels, repeaterIds] = await Promise.all([
    report<{ totals: AccessLogs['traffic'] }>(src, 'traffic'),
    report<{ rows: PageLine[] }>(src, 'pages', { limit: String(topPageCount) }),
    report<{ members: number; ids: string[] }>(src, 'repeat-visitors', { path: pricingGlob, format: 'ids' }),
    report<{ rows: { step: number; people: number; median_seconds_from_previous: number | null }[] }>(src, 'funnel', { steps: `${pricingGlob},event:${inquiryEvent}` }),
    report<{ rows: ChannelLine[] }>(src, 'channels'),
    profileIds(src, repeaterEmails),
  ]);
  const members = new Set(repeat.ids);
  const step = (n: number) => funnel.rows.find((r) => r.step === n);
  return {
    from: String(t.parameters.from),
    to: String(t.parameters.to),
    traffic: t.totals,
    topPages: pages.rows,
    pricingRepeat: {
      visits: Number(repeat.parameters.visits),
      days: Number(repeat.parameters.days),
      members: repeat.members,
      runRepeaters: repeaterEmails.length,
      runRepeatersIn: repeaterIds.filter((id) => members.has(id)).length,
    },
    funnel: { entered: step(1)?.people ?? 0, reached: step(2)?.people ?? 0, medianSeconds: step(2)?.median_seconds_from_previous ?? null },
    channels: channels.rows,
  };
}
