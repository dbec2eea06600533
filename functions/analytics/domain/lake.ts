/**
 * The event lake's contract: its tables, their columns and their layout. One description shared by the
 * writer (the stream processor, through Firehose on AWS and the local Firehose stand-in), the Glue
 * tables CDK declares, the local DuckDB views and every report's SQL. Pure.
 *
 * Layout (S3 on AWS, `<data folder>/lake/` locally): `<table>/dt=YYYY-MM-DD/<file>.parquet`, where `dt`
 * is the UTC day of the row's event time (`ts`), so a report over a date range reads only its days.
 *
 * Types are the few both engines (Athena/Trino and DuckDB) read alike from Parquet: `string`, `bigint`,
 * `double`. Times are epoch milliseconds (`bigint`): the reports' arithmetic on them is the same integer
 * arithmetic in both engines, where timestamp functions differ.
 */

export type LakeColumnType = 'string' | 'bigint' | 'double';

export interface LakeColumn {
  name: string;
  type: LakeColumnType;
  comment: string;
}

/** One event as the lake keeps it: flat, bounded, enriched, with the profile it was resolved to. */
export interface EventRow {
  message_id: string;
  /** The profile the processor resolved the event to (the merge survivor at that time). */
  profile_id: string;
  anonymous_id: string | null;
  user_id: string | null;
  /** page | track | identify | screen | group | alias; `stage` for a stage change (lake-rows.ts stageRow) */
  type: string;
  /** Track event name (`Page Ping` for heartbeats); null for pages. */
  event: string | null;
  /** Page or screen name. */
  name: string | null;
  /** Page path (pages: context.page.path; track events: properties.path), at most maxPathChars. */
  path: string | null;
  /** Host of the page's referrer, lower case, without `www.`; null when none or the site itself. */
  referrer_domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  /** The ad click id's type found on the landing page URL (`gclid`, `fbclid`, …: channels/domain/registry.ts clickIdTypes). */
  click_id_type: string | null;
  /** The ad click id's value (kept for offline conversion uploads), at most maxTextChars. */
  click_id: string | null;
  /** Seconds of attention a heartbeat (Page Ping) reports. */
  seconds: number | null;
  /** properties.revenue (or properties.total) of track events, e.g. Order Completed. */
  revenue: number | null;
  /** Track event properties as JSON when at most maxPropertiesBytes; identify traits never (PII). */
  properties: string | null;
  /** desktop | mobile | tablet | … (from the user agent at ingest). */
  device: string | null;
  /** Event time, epoch ms (clock-corrected at ingest). */
  ts: number;
  /** Time the API received it, epoch ms. */
  received: number;
  /** Partition: UTC day of `ts`, YYYY-MM-DD. */
  dt: string;
}

/**
 * An identity change: `from_id`'s history belongs to `to_id` from now on (a merge). Reports follow these
 * rows (up to maxMergeHops) so a person's anonymous history counts as theirs.
 */
export interface IdentityRow {
  kind: 'merge';
  from_id: string;
  to_id: string;
  /** The message that caused it. */
  message_id: string;
  ts: number;
  dt: string;
}

export const eventColumns: readonly LakeColumn[] = [
  { name: 'message_id', type: 'string', comment: 'messageId (rows may repeat under at-least-once delivery: reports count distinct ids)' },
  { name: 'profile_id', type: 'string', comment: 'profile resolved by the stream processor' },
  { name: 'anonymous_id', type: 'string', comment: 'browser/device id' },
  { name: 'user_id', type: 'string', comment: 'user id sent by the site' },
  { name: 'type', type: 'string', comment: 'page | track | identify | screen | group | alias' },
  { name: 'event', type: 'string', comment: 'track event name' },
  { name: 'name', type: 'string', comment: 'page or screen name' },
  { name: 'path', type: 'string', comment: 'page path' },
  { name: 'referrer_domain', type: 'string', comment: 'referrer host without www.' },
  { name: 'utm_source', type: 'string', comment: 'utm_source' },
  { name: 'utm_medium', type: 'string', comment: 'utm_medium' },
  { name: 'utm_campaign', type: 'string', comment: 'utm_campaign' },
  { name: 'utm_term', type: 'string', comment: 'utm_term' },
  { name: 'utm_content', type: 'string', comment: 'utm_content' },
  { name: 'click_id_type', type: 'string', comment: 'ad click id type (gclid, fbclid, yclid, ...)' },
  { name: 'click_id', type: 'string', comment: 'ad click id value' },
  { name: 'seconds', type: 'double', comment: 'heartbeat seconds' },
  { name: 'revenue', type: 'double', comment: 'order revenue' },
  { name: 'properties', type: 'string', comment: 'track properties as JSON (bounded)' },
  { name: 'device', type: 'string', comment: 'device class' },
  { name: 'ts', type: 'bigint', comment: 'event time, epoch ms' },
  { name: 'received', type: 'bigint', comment: 'received time, epoch ms' },
];

export const identityColumns: readonly LakeColumn[] = [
  { name: 'kind', type: 'string', comment: 'merge' },
  { name: 'from_id', type: 'string', comment: 'profile whose history moves' },
  { name: 'to_id', type: 'string', comment: 'profile it moves to' },
  { name: 'message_id', type: 'string', comment: 'message that caused it' },
  { name: 'ts', type: 'bigint', comment: 'time, epoch ms' },
];

/** The partition column of every table. */
export const partitionColumn: LakeColumn = { name: 'dt', type: 'string', comment: 'UTC day, YYYY-MM-DD' };

export const lakeTables = {
  events: { columns: eventColumns },
  identity: { columns: identityColumns },
} as const;

export type LakeTable = keyof typeof lakeTables;

/** Lake bounds (README "The event lake"). */
export const lakeLimits = {
  /** Longest path kept on a row. */
  maxPathChars: 1024,
  /** Longest name, event, utm value or referrer domain kept. */
  maxTextChars: 256,
  /** Largest properties JSON kept on a row; larger properties are left out (the row stays). */
  maxPropertiesBytes: 2048,
} as const;

/** Days the lake keeps by default before S3 lifecycle expires them (`nurture:lakeRetentionDays`). */
export const defaultLakeRetentionDays = 730;

/** The partition value of an epoch-ms time. */
export function dtOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Key prefix of a table's partition, relative to the lake root. */
export function partitionPrefix(table: LakeTable, dt: string): string {
  return `${table}/dt=${dt}/`;
}
