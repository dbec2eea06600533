/**
 * A large synthetic event lake for timing the reports (bench/analytics.ts): a month of site traffic made
 * by DuckDB SQL alone (ranges and hashes, no JavaScript per row), written as Parquet in the lake layout
 * (`events/dt=…/`, `identity/dt=…/`) with the column types of functions/analytics/domain/lake.ts.
 *
 * The mix, every choice a hash of the session, view or person, so a size always makes the same lake:
 * - Sessions of 1 to 15 page views (mean about 2.5) two minutes apart, over the 30 paths of `sitePaths`
 *   (popular ones first); each view followed by 0 to 6 `Page Ping` heartbeats of 15 seconds.
 * - People: about one per 2.2 sessions, a few coming back often (a skewed pick of the person per session).
 *   Devices 58% desktop, 37% mobile, 5% tablet, per person.
 * - Entry: 38% direct, 25% search, 10% social, 8% referral (the referrer on the first view of the session),
 *   10% email and 9% paid search (utm tags on every event of the session, as the tracker keeps them).
 * - `Form Submitted` on 40% of `/contact` views, `Order Completed` (revenue 20–499) on every
 *   `/checkout/complete` view.
 * - 5% of people become known: in their middle session they submit a form and identify; from then on their
 *   events carry a user id and their known profile, and one identity row merges the anonymous profile into
 *   it. So identity rows per event are modelled, not measured.
 * - 1% of rows are delivered twice (at-least-once), the copy received 30 s later.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { eventColumns } from '../../functions/analytics/domain/lake.js';

/** The month the lake covers: March 2024, 31 days (reports run with from/to inside it). */
export const lakeMonth = { from: '2024-03-01', to: '2024-03-31', days: 31, startMs: Date.parse('2024-03-01T00:00:00Z') } as const;

/** The site's paths, most visited first (a view picks one with a skew towards the start). */
export const sitePaths = [
  '/', '/pricing', '/products', '/products/insight', '/products/pulse', '/blog', '/features', '/products/forecast',
  '/contact', '/docs', '/docs/getting-started', '/blog/launch', '/customers', '/blog/scoring-guide', '/checkout',
  '/docs/api', '/about', '/blog/email-tips', '/checkout/complete', '/signup', '/blog/case-study', '/docs/sdk',
  '/blog/release-notes', '/careers', '/blog/webinar', '/integrations', '/integrations/salesforce', '/security',
  '/legal/privacy', '/legal/terms',
] as const;

/** Mean events per session the mix gives (sessions are sized from it, then cut at the requested count). */
const eventsPerSession = 10;
const sessionsPerPerson = 2.2;
/** Share of people who identify (the known ones). */
export const knownShare = 0.05;

const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
/** A uniform number in [0, 1) from hashing `parts`. */
const u = (...parts: string[]) => `((hash(${parts.join(', ')}) % 1000003) / 1000003.0)`;
/** A UUID-looking id from an md5 column `h` (36 characters, as message ids and anonymous ids are). */
const uuidOf = (h: string) => `substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-4' || substr(${h}, 14, 3) || '-a' || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12)`;
/** A profile id shaped as functions/identity/domain/keys.ts makes them (`p_` and 22 characters). */
const profileOf = (text: string) => `'p_' || substr(md5(${text}), 1, 22)`;

export interface SyntheticLake {
  /** Distinct events (message ids). */
  events: number;
  /** Events rows written, duplicates included. */
  rows: number;
  identityRows: number;
  /** Stage rows (type `stage`), not counted in `rows`. */
  stageRows: number;
  people: number;
  sessions: number;
}

/**
 * Writes about `events` events (whole sessions, so up to one session more) over lakeMonth into `dir`
 * (`events/` and `identity/` beneath it). Uses temporary tables on `conn`, dropped at the end.
 */
export async function writeSyntheticLake(conn: DuckDBConnection, dir: string, events: number): Promise<SyntheticLake> {
  const sessions = Math.ceil((events / eventsPerSession) * 1.2);
  const people = Math.max(1, Math.round(sessions / sessionsPerPerson));
  const span = lakeMonth.days * 86_400 - 3_600;
  // Sessions: person, start, page views, entry channel.
  await conn.run(`
CREATE OR REPLACE TEMP TABLE syn_sessions AS
SELECT sid, p, start_ts, pv, ch, CAST(hash(sid, 'pick') % 1000 AS BIGINT) AS pick
FROM (
  SELECT sid,
    (CAST(floor(${people} * pow(${u('sid', "'person'")}, 1.3)) AS BIGINT) * 7919) % ${people} AS p,
    ${lakeMonth.startMs} + CAST(floor(${u('sid', "'start'")} * ${span}) AS BIGINT) * 1000 AS start_ts,
    least(15, 1 + CAST(floor(-ln(1 - ${u('sid', "'views'")}) * 2.0) AS BIGINT)) AS pv,
    ${u('sid', "'channel'")} AS ch
  FROM range(${sessions}) t(sid)
)`);
  // Views: path and heartbeats; the extra event a view may carry (form, order). Sessions are then cut where
  // the running count of events reaches the requested size.
  await conn.run(`
CREATE OR REPLACE TEMP TABLE syn_views AS
WITH v AS (
  SELECT sid, p, start_ts, pv, unnest(range(pv)) AS j FROM syn_sessions
),
v2 AS (
  SELECT sid, p, start_ts, pv, j,
    ${list(sitePaths)}[1 + CAST(floor(${sitePaths.length} * pow(${u('sid', 'j', "'path'")}, 1.8)) AS BIGINT)] AS path,
    CAST(floor(${u('sid', 'j', "'pings'")} * 7) AS BIGINT) AS q
  FROM v
),
v3 AS (
  SELECT *, CASE WHEN path = '/checkout/complete' THEN 'Order Completed'
    WHEN path = '/contact' AND ${u('sid', 'j', "'form'")} < 0.4 THEN 'Form Submitted' END AS extra
  FROM v2
),
sized AS (
  SELECT sid, sum(1 + q + CASE WHEN extra IS NULL THEN 0 ELSE 1 END) AS n FROM v3 GROUP BY sid
),
kept AS (
  SELECT sid FROM (SELECT sid, sum(n) OVER (ORDER BY sid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM sized)
  WHERE coalesce(before, 0) < ${events}
)
SELECT v3.* FROM v3 SEMI JOIN kept ON kept.sid = v3.sid`);
  await conn.run(`DELETE FROM syn_sessions WHERE sid NOT IN (SELECT DISTINCT sid FROM syn_views)`);
  // Known people identify in their middle session, after its last view (a form, then identify).
  await conn.run(`
CREATE OR REPLACE TEMP TABLE syn_known AS
SELECT p, sid AS id_sid, start_ts + (pv - 1) * 120000 + 110000 AS id_ts
FROM (
  SELECT p, sid, start_ts, pv, row_number() OVER (PARTITION BY p ORDER BY start_ts, sid) AS k, count(*) OVER (PARTITION BY p) AS n
  FROM syn_sessions WHERE hash(p, 'known') % 1000 < ${Math.round(knownShare * 1000)}
) WHERE k = (n + 1) // 2`);
  await conn.run(`
CREATE OR REPLACE TEMP VIEW syn_events AS
WITH e AS (
  SELECT v.*, s.ch, s.pick, k.id_sid, k.id_ts,
    unnest(range(1 + q + CASE WHEN extra IS NULL THEN 0 ELSE 1 END
      + CASE WHEN v.sid = k.id_sid AND j = pv - 1 THEN CASE WHEN extra IS NULL THEN 2 ELSE 1 END ELSE 0 END)) AS r
  FROM syn_views v JOIN (SELECT sid, ch, pick FROM syn_sessions) s USING (sid) LEFT JOIN syn_known k ON k.p = v.p
),
typed AS (
  SELECT *,
    CASE WHEN r = 0 THEN 'page' WHEN r <= q THEN 'ping' WHEN r = q + 1 AND extra IS NOT NULL THEN 'extra'
      WHEN r = q + 1 THEN 'form' ELSE 'identify' END AS kind
  FROM e
),
timed AS (
  SELECT *, start_ts + j * 120000 + CASE kind WHEN 'page' THEN 0 WHEN 'ping' THEN r * 15000 WHEN 'identify' THEN 110000 ELSE 100000 END AS ts,
    id_ts IS NOT NULL AND start_ts + j * 120000 + CASE kind WHEN 'page' THEN 0 WHEN 'ping' THEN r * 15000 WHEN 'identify' THEN 110000 ELSE 100000 END >= id_ts AS known,
    md5(sid || '.' || j || '.' || r) AS mh, md5('anon' || p) AS ah
  FROM typed
)
SELECT
  ${uuidOf('mh')} AS message_id,
  CASE WHEN known THEN ${profileOf("'user:' || p")} ELSE ${profileOf("'anon:' || p")} END AS profile_id,
  ${uuidOf('ah')} AS anonymous_id,
  CASE WHEN known THEN 'user-' || lpad(CAST(p AS VARCHAR), 7, '0') END AS user_id,
  CASE kind WHEN 'page' THEN 'page' WHEN 'identify' THEN 'identify' ELSE 'track' END AS type,
  CASE kind WHEN 'ping' THEN 'Page Ping' WHEN 'extra' THEN extra WHEN 'form' THEN 'Form Submitted' END AS event,
  CAST(NULL AS VARCHAR) AS name,
  CASE WHEN kind = 'form' OR kind = 'identify' THEN '/signup' ELSE path END AS path,
  CASE WHEN j = 0 THEN CASE
    WHEN ch < 0.38 THEN NULL
    WHEN ch < 0.63 THEN ['google.com', 'google.com', 'google.com', 'bing.com', 'duckduckgo.com'][1 + pick % 5]
    WHEN ch < 0.73 THEN ['facebook.com', 't.co', 'linkedin.com', 'instagram.com', 'reddit.com'][1 + pick % 5]
    WHEN ch < 0.81 THEN 'blog' || (pick % 40) || '.example.net'
    WHEN ch >= 0.91 THEN 'google.com' END END AS referrer_domain,
  CASE WHEN ch >= 0.91 THEN 'google' WHEN ch >= 0.81 THEN 'newsletter' END AS utm_source,
  CASE WHEN ch >= 0.91 THEN 'cpc' WHEN ch >= 0.81 THEN 'email' END AS utm_medium,
  CASE WHEN ch >= 0.91 THEN ['brand', 'competitors', 'generic'][1 + pick % 3]
    WHEN ch >= 0.81 THEN ['march-newsletter', 'spring-sale', 'webinar-invite', 'product-update'][1 + pick % 4] END AS utm_campaign,
  CASE WHEN ch >= 0.91 THEN ['nurture', 'marketing automation', 'lead scoring', 'email automation'][1 + pick % 4] END AS utm_term,
  CASE WHEN ch >= 0.81 AND ch < 0.91 THEN ['cta-top', 'cta-bottom'][1 + pick % 2] END AS utm_content,
  CASE WHEN j = 0 AND ch >= 0.91 THEN 'gclid' END AS click_id_type,
  CASE WHEN j = 0 AND ch >= 0.91 THEN 'Cj0K' || sid END AS click_id,
  CASE WHEN kind = 'ping' THEN 15.0 END AS seconds,
  CASE WHEN kind = 'extra' AND extra = 'Order Completed' THEN CAST(20 + hash(sid, j, 'revenue') % 480 AS DOUBLE) END AS revenue,
  CASE kind WHEN 'ping' THEN '{"seconds":15,"path":"' || path || '"}'
    WHEN 'form' THEN '{"form":"signup","path":"/signup"}'
    WHEN 'extra' THEN CASE extra WHEN 'Form Submitted' THEN '{"form":"contact","path":"/contact"}'
      ELSE '{"orderId":"o-' || sid || '-' || j || '","revenue":' || (20 + hash(sid, j, 'revenue') % 480) || ',"currency":"USD","path":"' || path || '"}' END
    END AS properties,
  CASE WHEN hash(p, 'device') % 100 < 58 THEN 'desktop' WHEN hash(p, 'device') % 100 < 95 THEN 'mobile' ELSE 'tablet' END AS device,
  ts,
  ts + 200 + CAST(hash(sid, j, r) % 1300 AS BIGINT) AS received,
  strftime(epoch_ms(ts), '%Y-%m-%d') AS dt,
  hash(sid, j, r, 'copy') % 100 = 0 AS syn_twice
FROM timed`);
  // Stage rows (the processor's, lake-rows.ts stageRow): each known person becomes known when identifying,
  // and a third of them an MQL a day later (attribution's stage conversions).
  await conn.run(`
CREATE OR REPLACE TEMP TABLE syn_stages AS
SELECT p, 'known' AS stage, 'anonymous' AS prev, id_ts AS ts FROM syn_known
UNION ALL
SELECT p, 'mql', 'known', id_ts + 86400000 FROM syn_known WHERE hash(p, 'mql') % 3 = 0 AND id_ts + 86400000 < ${lakeMonth.startMs + lakeMonth.days * 86_400_000}`);
  const stageValues: Record<string, string> = {
    message_id: "'stage:' || md5('stage' || p || stage) || ':' || stage",
    profile_id: profileOf("'user:' || p"),
    type: "'stage'",
    event: 'stage',
    name: 'prev',
    ts: 'ts',
    received: 'ts',
  };
  const stageColumns = [
    ...eventColumns.map((c) => `${stageValues[c.name] ?? `CAST(NULL AS ${c.type === 'string' ? 'VARCHAR' : c.type === 'bigint' ? 'BIGINT' : 'DOUBLE'})`} AS ${c.name}`),
    "strftime(epoch_ms(ts), '%Y-%m-%d') AS dt",
  ].join(', ');
  const names = [...eventColumns.map((c) => c.name), 'dt'].join(', ');
  const eventsDir = join(dir, 'events');
  const identityDir = join(dir, 'identity');
  mkdirSync(eventsDir, { recursive: true });
  await conn.run(`
COPY (
  SELECT ${names} FROM syn_events
  UNION ALL
  SELECT ${names.replace('received', 'received + 30000 AS received')} FROM syn_events WHERE syn_twice
  UNION ALL
  SELECT ${stageColumns} FROM syn_stages
) TO '${eventsDir}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'events-{uuid}')`);
  await conn.run(`
COPY (
  SELECT 'merge' AS kind, ${profileOf("'anon:' || p")} AS from_id, ${profileOf("'user:' || p")} AS to_id,
    ${uuidOf("md5(id_sid || '.identify')")} AS message_id, id_ts AS ts, strftime(epoch_ms(id_ts), '%Y-%m-%d') AS dt
  FROM syn_known
) TO '${identityDir}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'identity-{uuid}')`);
  const one = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0]?.[0] ?? 0);
  const counts = {
    events: await one('SELECT count(*) FROM syn_events'),
    rows: await one(`SELECT count(*) FROM read_parquet('${eventsDir}/*/*.parquet') WHERE type <> 'stage'`),
    stageRows: await one('SELECT count(*) FROM syn_stages'),
    identityRows: await one('SELECT count(*) FROM syn_known'),
    people: await one('SELECT count(DISTINCT p) FROM syn_sessions'),
    sessions: await one('SELECT count(*) FROM syn_sessions'),
  };
  for (const t of ['VIEW syn_events', 'TABLE syn_stages', 'TABLE syn_known', 'TABLE syn_views', 'TABLE syn_sessions']) await conn.run(`DROP ${t.split(' ')[0]} IF EXISTS ${t.split(' ')[1]}`);
  return counts;
}
