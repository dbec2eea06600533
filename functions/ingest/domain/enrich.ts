import { createHash } from 'node:crypto';
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import { withNameTraits } from '../../identity/domain/names.js';
import { clickIdOf, pageParams } from './click-id.js';
import { limits } from './limits.js';
import type { SegmentMessage } from './schema.js';

/** An accepted, enriched event as it travels on the events stream (the stream processor's input). */
export interface CollectedEvent {
  type: SegmentMessage['type'];
  messageId: string;
  anonymousId?: string;
  userId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  previousId?: string;
  groupId?: string;
  context: Record<string, unknown> & { campaign?: Campaign; userAgent?: string };
  /** Event time corrected for client clock skew (ISO 8601, UTC). */
  timestamp: string;
  /** The client's own timestamp, as sent. */
  originalTimestamp?: string;
  sentAt?: string;
  receivedAt: string;
  /** The write key the event came in with. */
  source: string;
  nurture: {
    /** Envelope version of this shape. */
    v: 1;
    /** True when the user agent is a known bot/crawler; bots never score. */
    bot: boolean;
    ua?: { browser?: string; os?: string; device: string };
    /** IPv4 truncated to /24, IPv6 to /48: never the raw address. */
    ipPrefix?: string;
    /** Profile resolved at collect time (identify/alias only; the processor resolves the rest). */
    profileId?: string;
    /** Profiles this identify/alias showed to be the same person, to merge into profileId. */
    mergeFrom?: string[];
    /** The ad click id on the page URL (`gclid=…`) of a page or track event: ingest/domain/click-id.ts. */
    clickId?: { type: string; value: string };
    /** A stage the profile is at least in afterwards, set by Nurture alone (inbound CRM updates). */
    minStage?: 'sql' | 'customer';
  };
}

export interface Campaign {
  name?: string;
  source?: string;
  medium?: string;
  term?: string;
  content?: string;
}

export interface RequestMeta {
  receivedAt: Date;
  /** Batch-level sentAt (applies to messages without their own). */
  sentAt?: string;
  /** Batch-level context merged under each message's own. */
  context?: Record<string, unknown>;
  sourceIp?: string;
  /** The HTTP User-Agent header, used when the message has no context.userAgent (e.g. pixel). */
  userAgentHeader?: string;
  writeKey: string;
}

/**
 * Corrects the client's clock the way Segment does: timestamp = receivedAt − (sentAt − timestamp).
 * Without sentAt the client's timestamp is kept; a result further than maxClockSkewMs from receivedAt,
 * or in the future, is replaced by receivedAt (a broken client clock must not rewrite history).
 */
export function correctTimestamp(timestamp: string | undefined, sentAt: string | undefined, receivedAt: Date): Date {
  const received = receivedAt.getTime();
  if (!timestamp) return receivedAt;
  const ts = Date.parse(timestamp);
  if (Number.isNaN(ts)) return receivedAt;
  const sent = sentAt ? Date.parse(sentAt) : Number.NaN;
  const corrected = Number.isNaN(sent) ? ts : received - (sent - ts);
  if (corrected > received || received - corrected > limits.maxClockSkewMs) return receivedAt;
  return new Date(corrected);
}

/** Keeps the network, never the host: IPv4 → a.b.c.0/24, IPv6 → first 48 bits ::/48. */
export function truncateIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip.trim());
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!ip.includes(':')) return undefined;
  const [head = ''] = ip.trim().toLowerCase().split('::');
  const groups = head.split(':').filter(Boolean);
  while (groups.length < 3) groups.push('0');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

const utmFields: Record<string, keyof Campaign> = {
  utm_campaign: 'name',
  utm_source: 'source',
  utm_medium: 'medium',
  utm_term: 'term',
  utm_content: 'content',
};

/** UTM values from context.campaign, else parsed from the page URL or search string. */
export function campaignOf(context: Record<string, unknown> | undefined): Campaign | undefined {
  const given = context?.campaign;
  if (given && typeof given === 'object' && Object.keys(given).length > 0) return given as Campaign;
  const params = pageParams(context);
  if (!params) return undefined;
  const campaign: Campaign = {};
  for (const [param, field] of Object.entries(utmFields)) {
    const value = params.get(param);
    if (value) campaign[field] = value.slice(0, 512);
  }
  return Object.keys(campaign).length > 0 ? campaign : undefined;
}

export interface UserAgentInfo {
  bot: boolean;
  ua: { browser?: string; os?: string; device: string };
}

/** Distinct user agents remembered; real traffic repeats a few hundred strings, and parsing is the costly part. */
export const userAgentCacheSize = 1000;
const userAgentCache = new Map<string, UserAgentInfo>();

/** Bot flag, browser, OS and device class of a user agent string (memoized, LRU-bounded). */
export function userAgentInfo(ua: string): UserAgentInfo {
  const hit = userAgentCache.get(ua);
  if (hit) {
    // Re-insert: Map keeps insertion order, so the first key is always the least recently used.
    userAgentCache.delete(ua);
    userAgentCache.set(ua, hit);
    return hit;
  }
  const r = new UAParser(ua).getResult();
  const info: UserAgentInfo = {
    bot: isbot(ua),
    ua: {
      ...(r.browser.name ? { browser: r.browser.name } : {}),
      ...(r.os.name ? { os: r.os.name } : {}),
      device: r.device.type ?? 'desktop',
    },
  };
  if (userAgentCache.size >= userAgentCacheSize) userAgentCache.delete(userAgentCache.keys().next().value!);
  userAgentCache.set(ua, info);
  return info;
}

/**
 * A message without a messageId gets one derived from its content, so a client that retries the same
 * body without ids is still deduplicated downstream (Segment itself would assign a random one).
 */
export function deriveMessageId(message: Record<string, unknown>): string {
  const { sentAt: _sentAt, writeKey: _writeKey, ...rest } = message;
  return `derived-${createHash('sha256').update(stableJson(rest)).digest('base64url').slice(0, 32)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Turns a validated message into the stream envelope: ids, corrected time, UTM, ad click id, UA, bot flag,
 * no raw IP. `nurture` is built here alone: a `nurture` field the client sent is dropped.
 */
export function enrich(message: SegmentMessage, meta: RequestMeta): CollectedEvent {
  const {
    writeKey: _writeKey,
    integrations: _integrations,
    context: ownContext,
    timestamp,
    sentAt: ownSentAt,
    originalTimestamp,
    messageId,
    // Ingest's own envelope: what a client sends under this name is never trusted.
    nurture: _clientNurture,
    ...rest
  } = message;
  const { ip, ...context } = { ...(meta.context ?? {}), ...(ownContext ?? {}) } as Record<string, unknown> & {
    ip?: string;
    userAgent?: string;
  };
  const sentAt = ownSentAt ?? meta.sentAt;
  const clientTime = timestamp ?? originalTimestamp;
  const userAgent = typeof context.userAgent === 'string' ? context.userAgent : meta.userAgentHeader;
  const campaign = campaignOf(context);
  if (campaign) context.campaign = campaign;
  // Page views and the track events sent from a page (the tracker puts context.page on every message).
  const clickId = rest.type === 'page' || rest.type === 'track' ? clickIdOf(context) : undefined;
  const ipPrefix = truncateIp(ip ?? meta.sourceIp);
  const agent = userAgent ? userAgentInfo(userAgent) : undefined;
  // Segment's reserved name traits, kept consistent (firstName/lastName ↔ name) for templates.
  if (rest.type === 'identify' && rest.traits) rest.traits = withNameTraits(rest.traits);
  return {
    ...rest,
    messageId: messageId ?? deriveMessageId(message as Record<string, unknown>),
    context,
    timestamp: correctTimestamp(clientTime, sentAt, meta.receivedAt).toISOString(),
    ...(clientTime ? { originalTimestamp: clientTime } : {}),
    ...(sentAt ? { sentAt } : {}),
    receivedAt: meta.receivedAt.toISOString(),
    source: meta.writeKey,
    nurture: {
      v: 1,
      bot: agent?.bot ?? false,
      ...(agent ? { ua: { ...agent.ua } } : {}),
      ...(ipPrefix ? { ipPrefix } : {}),
      ...(clickId ? { clickId } : {}),
    },
  } as CollectedEvent;
}
