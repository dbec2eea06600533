/**
 * Lake rows from what the stream processor handles: one flat, bounded EventRow per collected event and one
 * IdentityRow per merge, as lake.ts describes them. Pure, and total: any event the stream can carry makes a
 * row (a function that threw here would fail the same Kinesis batch on every retry).
 */
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { referrerDomain } from '../../profiles/domain/touch.js';
import { heartbeatEvent } from '../../scoring/domain/score.js';
import { dtOf, type EventRow, type IdentityRow, lakeLimits } from './lake.js';

/** Where the stream processor writes lake rows (Firehose on AWS, the local Firehose stand-in locally). */
export interface LakeSink {
  events(rows: EventRow[]): Promise<void>;
  identity(rows: IdentityRow[]): Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** At most `max` UTF-16 units, never ending in half a surrogate pair (which Parquet's UTF-8 cannot hold). */
export function bounded(v: unknown, max: number): string | null {
  if (typeof v !== 'string' || v === '') return null;
  if (v.length <= max) return v;
  const cut = v.charCodeAt(max - 1) >= 0xd800 && v.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return v.slice(0, cut);
}

const text = (v: unknown) => bounded(v, lakeLimits.maxTextChars);

/** Epoch ms of an ISO time, or undefined. */
function msOf(iso: unknown): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Properties as JSON when within maxPropertiesBytes; larger ones are left out (the row stays). */
function propertiesJson(props: Record<string, unknown> | undefined): string | null {
  if (!props || Object.keys(props).length === 0) return null;
  let json: string;
  try {
    json = JSON.stringify(props);
  } catch {
    return null;
  }
  return Buffer.byteLength(json, 'utf8') <= lakeLimits.maxPropertiesBytes ? json : null;
}

/**
 * The lake row of one collected event resolved to `profileId`.
 * - `path`: pages and screens take context.page.path (then properties.path); track events take
 *   properties.path (the tracker's heartbeat sets it), then context.page.path (the page it happened on).
 * - `referrer_domain`: context.page.referrer's host, lower case, without `www.`; null for internal links.
 * - `utm_*`: context.campaign (ingest fills it from the page URL when the client did not).
 * - `click_id_type`, `click_id`: nurture.clickId, the ad click id ingest found on the page URL.
 * - `seconds`: properties.seconds of a `Page Ping` heartbeat; `revenue`: properties.revenue, else
 *   properties.total, when a number.
 * - `properties`: track events only, when its JSON is within maxPropertiesBytes. Identify traits are never
 *   stored (personal data lives only in the profile, where erasure finds it).
 * - `ts`: the event time, else the received time (ingest always sets both; this only guards the row).
 */
export function eventRow(event: CollectedEvent, profileId: string): EventRow {
  const context = isRecord(event.context) ? event.context : {};
  const page = isRecord(context.page) ? context.page : undefined;
  const campaign = isRecord(context.campaign) ? context.campaign : {};
  const props = isRecord(event.properties) ? event.properties : undefined;
  const isTrack = event.type === 'track';
  const clickId = isRecord(event.nurture) && isRecord(event.nurture.clickId) ? event.nurture.clickId : undefined;
  const path = isTrack ? (props?.path ?? page?.path) : (page?.path ?? props?.path);
  const received = msOf(event.receivedAt) ?? 0;
  const ts = msOf(event.timestamp) ?? received;
  return {
    message_id: String(event.messageId),
    profile_id: profileId,
    anonymous_id: typeof event.anonymousId === 'string' ? event.anonymousId : null,
    user_id: typeof event.userId === 'string' ? event.userId : null,
    type: String(event.type),
    event: isTrack ? text(event.event) : null,
    name: text(event.name),
    path: bounded(path, lakeLimits.maxPathChars),
    referrer_domain: text(referrerDomain(page)),
    utm_source: text(campaign.source),
    utm_medium: text(campaign.medium),
    utm_campaign: text(campaign.name),
    utm_term: text(campaign.term),
    utm_content: text(campaign.content),
    click_id_type: text(clickId?.type),
    click_id: text(clickId?.value),
    seconds: isTrack && event.event === heartbeatEvent ? finite(props?.seconds) : null,
    revenue: isTrack ? (finite(props?.revenue) ?? finite(props?.total)) : null,
    properties: isTrack ? propertiesJson(props) : null,
    device: text(isRecord(event.nurture?.ua) ? event.nurture.ua.device : undefined),
    ts,
    received,
    dt: dtOf(ts),
  };
}

/** The identity row of a merge: `fromId`'s history belongs to `toId` from the merging message on. */
export function mergeRow(fromId: string, toId: string, messageId: string, at: string): IdentityRow {
  const ts = msOf(at) ?? 0;
  return { kind: 'merge', from_id: fromId, to_id: toId, message_id: messageId, ts, dt: dtOf(ts) };
}

/**
 * The event row of a stage change (`lead.stage_changed`): type `stage`, `event` the stage entered, `name`
 * the stage left, at the time of its cause. Its message_id is derived from the change's own id, so the
 * outbox run again after a crash writes the same row (reports keep one per message_id); the shared
 * events_once (reports/_events.sql) leaves these rows out, and the attribution report reads them itself.
 */
export function stageRow(change: { profileId: string; messageId: string; occurredAt: string; from: string; to: string }): EventRow {
  const ts = msOf(change.occurredAt) ?? 0;
  return {
    message_id: `stage:${change.messageId}:${change.to}`,
    profile_id: change.profileId,
    anonymous_id: null,
    user_id: null,
    type: 'stage',
    event: text(change.to),
    name: text(change.from),
    path: null,
    referrer_domain: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    click_id_type: null,
    click_id: null,
    seconds: null,
    revenue: null,
    properties: null,
    device: null,
    ts,
    received: ts,
    dt: dtOf(ts),
  };
}
