/**
 * A person's touches from the lake (queries/touches.sql): the SQL text of one bounded read and the touch
 * a row makes. Pure. The profile API's GET /v1/admin/profiles/{id}/touches lists them oldest first.
 */
import { channelRulesLiteral } from '../../channels/domain/rules-sql.js';
import type { ChannelGroup, Medium } from '../../channels/domain/registry.js';
import { maxActivityProfiles, propertiesOf } from './activity-query.js';
import type { LakeRecord } from './engine.js';
import { dtOf } from './lake.js';
import { sessionLiterals } from './params.js';
import { renderSql, sqlInt, sqlString, sqlValues } from './sql.js';

/** Bounds of a touches read (README "Media and channel groups"). */
export const touchesLimits = {
  /** Days read back from now when the caller does not say. */
  defaultDays: 366,
  /** Most days one read spans (the lake keeps 730 days by default; ten years at most is read). */
  maxDays: 3660,
  /** Most touches one read returns (the newest; `truncated` says when there were more). */
  maxTouches: 1000,
} as const;

/** The track event an offline touch is (functions/channels: imported offline touches). */
export const offlineTouchEvent = 'Offline Touch';

export interface LakeTouchesQuery {
  /** The person's profile id first, then the profiles merged into it (at most maxActivityProfiles). */
  profileIds: readonly string[];
  /** Days back from now (1..touchesLimits.maxDays). */
  days: number;
  media: readonly Medium[];
}

export interface LakeTouch {
  /** `visit`: a session's first page view; `offline`: an Offline Touch event. */
  kind: 'visit' | 'offline';
  id: string;
  /** Event time (ISO). */
  at: string;
  landingPage?: string;
  source?: string;
  medium?: string;
  campaign?: string;
  referrerDomain?: string;
  clickIdType?: string;
  /** The Offline Touch event's properties (channel, campaign, …). */
  data?: Record<string, unknown>;
  classification: { medium: string; mediumName: string; channel: ChannelGroup };
}

const dayMs = 86_400_000;

/** The SQL text of a read at `now` (the template is queries/touches.sql, `classify` its fragment). */
export function touchesSql(template: string, fragments: { classify: string }, q: LakeTouchesQuery, now: Date): string {
  const days = Math.min(touchesLimits.maxDays, Math.max(1, Math.floor(q.days)));
  const to = now.getTime();
  const from = to - days * dayMs;
  return renderSql(template, fragments, {
    from_dt: sqlString(dtOf(from)),
    to_dt: sqlString(dtOf(to)),
    ids: sqlValues(['id'], q.profileIds.slice(0, maxActivityProfiles).map((id) => [id])),
    since_ms: sqlInt(Math.max(0, from)),
    ...sessionLiterals(),
    offline_event: sqlString(offlineTouchEvent),
    channel_rules: channelRulesLiteral(q.media),
    // One more than kept: its presence says the list was cut.
    limit: sqlInt(touchesLimits.maxTouches + 1),
  });
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** A touch from a row of touches.sql. */
export function touchOfRow(row: LakeRecord): LakeTouch {
  const data = propertiesOf(row);
  const fields = {
    landingPage: str(row.path),
    source: str(row.utm_source),
    medium: str(row.utm_medium),
    campaign: str(row.utm_campaign),
    referrerDomain: str(row.referrer_domain),
    clickIdType: str(row.click_id_type),
  };
  return {
    kind: row.kind === 'offline' ? 'offline' : 'visit',
    id: String(row.message_id),
    at: new Date(Number(row.ts)).toISOString(),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    ...(data ? { data } : {}),
    classification: { medium: String(row.medium), mediumName: String(row.medium_name), channel: String(row.channel) as ChannelGroup },
  };
}

/** Rows of one read (newest first, one beyond the bound when cut) as touches oldest first. */
export function touchesOfRows(rows: readonly LakeRecord[]): { touches: LakeTouch[]; truncated: boolean } {
  const kept = rows.slice(0, touchesLimits.maxTouches).map(touchOfRow);
  return { touches: kept.reverse(), truncated: rows.length > touchesLimits.maxTouches };
}
