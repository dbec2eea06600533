/**
 * The lake's part of a person's activity history: which spans of days to read, newest first, and the SQL
 * text for one span. Pure. A page of activity is usually found in the latest month, so the reader asks
 * span by span and stops as soon as the page is full: a profile view scans days, not the whole lake.
 */
import type { ActivityEntry } from '../../profiles/domain/profile.js';
import type { LakeRecord } from './engine.js';
import { dtOf } from './lake.js';
import { renderSql, sqlInt, sqlString, sqlValues } from './sql.js';

/** Days of each span read in turn, newest first: a month, then the year before it, then the rest. */
export const activitySpansDays = [31, 366, 3660] as const;

/** Most profile ids one query names (a person and the merged profiles their item remembers: mergedKept + 1). */
export const maxActivityProfiles = 51;

/** Most entries one query returns. */
export const maxActivityEntries = 1000;

export interface LakeActivityQuery {
  /** The person's profile id first, then the profiles merged into it. */
  profileIds: readonly string[];
  /** Newest-first cursor: only entries before this time (ISO), or at it with a lower id. */
  before?: string;
  beforeId?: string;
  /** Only entries at or after this time (ISO). */
  since?: string;
  limit: number;
}

export interface Span {
  fromMs: number;
  toMs: number;
}

const dayMs = 86_400_000;

/** The spans to read for a query at `now`, newest first, none before `since`. */
export function activitySpans(q: Pick<LakeActivityQuery, 'before' | 'since'>, now: Date): Span[] {
  const top = q.before ? Math.min(Date.parse(q.before), now.getTime()) : now.getTime();
  const floor = q.since ? Date.parse(q.since) : -Infinity;
  const spans: Span[] = [];
  let to = top;
  for (const days of activitySpansDays) {
    const from = Math.max(floor, to - days * dayMs);
    if (from > to) break;
    spans.push({ fromMs: from, toMs: to });
    if (from <= floor) break;
    to = from;
  }
  return spans;
}

/** The SQL text of one span (the template is queries/activity.sql). */
export function activitySql(template: string, q: LakeActivityQuery, span: Span): string {
  const ids = q.profileIds.slice(0, maxActivityProfiles);
  const beforeMs = q.before ? Date.parse(q.before) : span.toMs + 1;
  return renderSql(template, {}, {
    from_dt: sqlString(dtOf(span.fromMs)),
    to_dt: sqlString(dtOf(span.toMs)),
    ids: sqlValues(['id'], ids.map((id) => [id])),
    since_ms: sqlInt(Math.max(0, Math.floor(span.fromMs))),
    before_ms: sqlInt(Math.floor(beforeMs)),
    // Without an id in the cursor, nothing at its very time is "after" it.
    before_id: sqlString(q.beforeId ?? ''),
    limit: sqlInt(Math.min(maxActivityEntries, Math.max(1, q.limit))),
  });
}

/** A lake row's `properties` JSON as an object; undefined when absent, not JSON or not an object. */
export function propertiesOf(row: LakeRecord): Record<string, unknown> | undefined {
  if (typeof row.properties !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(row.properties);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An activity entry from a lake row (the lake keeps no rule points: the profile's breakdown has them). */
export function entryOfRow(row: LakeRecord): ActivityEntry {
  const type = String(row.type);
  const name = type === 'track' ? row.event : row.name;
  const data = propertiesOf(row);
  return {
    id: String(row.message_id),
    t: new Date(Number(row.ts)).toISOString(),
    type,
    ...(typeof name === 'string' && name ? { name } : {}),
    ...(typeof row.path === 'string' && row.path ? { path: row.path } : {}),
    ...(data ? { data } : {}),
  };
}
