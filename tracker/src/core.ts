/**
 * Pure pieces of the Nurture browser tracker: no DOM, no storage, no timers, so they are unit-tested in
 * Node. index.ts wires them to the browser. Everything here ends up in the ≤ 3 KB (min+gzip) bundle, so
 * the code favours small output over ceremony.
 */

/** Reported as context.library.version. Bump together with package.json's version. */
export const VERSION = '0.1.0';

/** Largest request body we send: the keepalive / sendBeacon quota is 64 KiB per page, keep a margin. */
export const MAX_BODY = 60000;
/** Largest single message (the API rejects more than 32 KiB, Segment's limit); bigger ones are dropped. */
export const MAX_MESSAGE = 32000;
/** Retry queue bounds: messages kept in localStorage, and attempts before a message is dropped. */
export const MAX_QUEUE = 100;
export const MAX_ATTEMPTS = 5;

export type Dict = Record<string, unknown>;

/** Segment's context.campaign, from the utm_* query parameters. */
export interface Campaign {
  source?: string;
  medium?: string;
  name?: string;
  term?: string;
  content?: string;
}

/** Segment's context.page (and the properties of a page call). */
export interface PageInfo {
  path: string;
  referrer: string;
  search: string;
  title: string;
  url: string;
}

/** What the browser tells about the environment, gathered by index.ts. */
export interface Env {
  page: PageInfo;
  userAgent: string;
  locale: string;
  timezone?: string;
  screen: { width: number; height: number };
  campaign?: Campaign;
}

/** A message waiting to be sent, with the number of failed attempts so far. */
export interface Queued {
  m: Dict;
  n: number;
}

/** One request body and the messages it carries. */
export interface Batch {
  items: Queued[];
  body: string;
}

/**
 * UTM parameters of a query string (`?utm_source=…`) as a Segment campaign, or undefined when there is
 * none. utm_campaign becomes `name`, as Segment's spec has it.
 */
export function parseUtm(search: string): Campaign | undefined {
  let c: Dict | undefined;
  const q = new URLSearchParams(search);
  for (const k of ['source', 'medium', 'campaign', 'term', 'content']) {
    const v = q.get('utm_' + k);
    if (v) (c = c || {})[k == 'campaign' ? 'name' : k] = v;
  }
  return c as Campaign | undefined;
}

/**
 * The campaign a message carries: the UTM of the current URL, else the one remembered for the session
 * (captured on the landing page). `store` tells the caller to remember the new one.
 */
export function resolveCampaign(search: string, remembered: string | null): { campaign?: Campaign; store?: string } {
  const c = parseUtm(search);
  if (c) return { campaign: c, store: JSON.stringify(c) };
  try {
    const r = JSON.parse(remembered || 'null');
    if (r && typeof r == 'object') return { campaign: r };
  } catch (e) {
    /* ignore a corrupt value */
  }
  return {};
}

/** A URL without its fragment: page views are deduplicated on this and it is what `url` reports. */
export const stripHash = (href: string): string => href.split('#')[0]!;

/** context.page / page properties from a location. */
export function pageInfo(loc: { href: string; pathname: string; search: string }, title: string, referrer: string): PageInfo {
  return { path: loc.pathname, referrer, search: loc.search, title, url: stripHash(loc.href) };
}

/**
 * A complete Segment message. `body` holds the type-specific fields (event, properties, traits, name,
 * previousId…) and may override userId (alias).
 */
export function buildMessage(
  type: string,
  body: Dict,
  ids: { anonymousId: string; userId?: string | null },
  env: Env,
  now: Date,
  messageId: string,
): Dict {
  const m: Dict = { type, messageId, anonymousId: ids.anonymousId };
  if (ids.userId) m.userId = ids.userId;
  m.timestamp = now.toISOString();
  m.context = {
    page: env.page,
    userAgent: env.userAgent,
    locale: env.locale,
    timezone: env.timezone,
    screen: env.screen,
    campaign: env.campaign,
    library: { name: 'nurture.js', version: VERSION },
  };
  return Object.assign(m, body);
}

/** UTF-8 size of a string. */
export function byteLength(s: string): number {
  try {
    return new TextEncoder().encode(s).length;
  } catch (e) {
    return s.length * 3; // an upper bound, for a browser without TextEncoder
  }
}

/**
 * Splits queued messages into request bodies (`{"batch":[…],"sentAt":…,"writeKey":…}`) of at most
 * `limit` bytes each, keeping their order. A message that alone exceeds `maxMessage` (or cannot be
 * serialized) is dropped: the API would reject it and retrying cannot help.
 */
export function splitBatches(
  items: Queued[],
  writeKey: string,
  sentAt: string,
  limit = MAX_BODY,
  maxMessage = MAX_MESSAGE,
): Batch[] {
  const tail = '],"sentAt":' + JSON.stringify(sentAt) + ',"writeKey":' + JSON.stringify(writeKey) + '}';
  const head = '{"batch":[';
  const base = byteLength(head + tail);
  const out: Batch[] = [];
  let cur: Queued[] = [];
  let parts: string[] = [];
  let size = base;
  const close = () => {
    if (cur.length) out.push({ items: cur, body: head + parts.join(',') + tail });
    cur = [];
    parts = [];
    size = base;
  };
  for (const it of items) {
    let s: string;
    try {
      s = JSON.stringify(it.m);
    } catch (e) {
      continue;
    }
    const b = byteLength(s);
    if (b > maxMessage || base + b > limit) continue;
    if (size + b + (cur.length ? 1 : 0) > limit) close();
    size += b + (cur.length ? 1 : 0);
    cur.push(it);
    parts.push(s);
  }
  close();
  return out;
}

/** Reads the retry queue from its stored JSON, ignoring anything malformed. */
export function parseQueue(raw: string | null | undefined): Queued[] {
  try {
    const q = JSON.parse(raw || '[]');
    return Array.isArray(q) ? q.filter((i) => i && typeof i.m == 'object' && i.m && typeof i.n == 'number') : [];
  } catch (e) {
    return [];
  }
}

/**
 * The retry queue after `failed` messages failed once more: their attempt count goes up, a message that
 * has had `maxAttempts` attempts is dropped, and only the newest `max` messages are kept.
 */
export function requeue(queue: Queued[], failed: Queued[], max = MAX_QUEUE, maxAttempts = MAX_ATTEMPTS): Queued[] {
  const q = queue.concat(failed.map((i) => ({ m: i.m, n: i.n + 1 }))).filter((i) => i.n < maxAttempts);
  return q.length > max ? q.slice(q.length - max) : q;
}

/** A random UUID v4: crypto.randomUUID, else crypto.getRandomValues, else Math.random. */
export function uuid(): string {
  const c = typeof crypto != 'undefined' ? crypto : undefined;
  try {
    if (c && c.randomUUID) return c.randomUUID();
  } catch (e) {
    /* randomUUID needs a secure context; fall through */
  }
  const b = new Uint8Array(16);
  try {
    c!.getRandomValues(b);
  } catch (e) {
    for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  }
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  let h = '';
  for (let i = 0; i < 16; i++) h += (i == 4 || i == 6 || i == 8 || i == 10 ? '-' : '') + (b[i]! + 256).toString(16).slice(1);
  return h;
}
