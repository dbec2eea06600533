/**
 * The back-test's input from the event lake: the window's events grouped by person (one lake query,
 * analytics/queries/backtest.sql), and each person's known flag, email and traits read from their profile
 * items (BatchGetItem, 100 at a time). No table scan: the lake holds the history, the table only who
 * each person is now.
 */
import { querySql } from '../../analytics/adapters/query-sql.js';
import { sqlFragments } from '../../analytics/adapters/report-sql.js';
import { entryOfRow } from '../../analytics/domain/activity-query.js';
import type { LakeEngine } from '../../analytics/domain/engine.js';
import { dtOf } from '../../analytics/domain/lake.js';
import { renderSql, sqlInt, sqlString } from '../../analytics/domain/sql.js';
import type { ActivityEntry, ProfileItem } from '../../profiles/domain/profile.js';
import type { ProfileHistory } from '../domain/backtest.js';

export const backtestLimits = {
  /** Days replayed when the operator does not say. */
  defaultDays: 90,
  /** Most days one back-test replays (the lake keeps more; a longer window decays to nothing anyway). */
  maxDays: 366,
  /** Most events one back-test reads into memory: a bigger window is refused with a hint. */
  maxEvents: 2_000_000,
} as const;

export class BacktestTooLargeError extends Error {
  override name = 'BacktestTooLargeError';
}

export async function lakeHistories(
  engine: LakeEngine,
  profiles: { many(ids: readonly string[]): Promise<Map<string, ProfileItem>> },
  opts: { days: number; now: Date },
): Promise<ProfileHistory[]> {
  const days = Math.min(backtestLimits.maxDays, Math.max(1, Math.floor(opts.days)));
  const to = opts.now.getTime();
  const sql = renderSql(querySql('backtest'), sqlFragments, {
    from_dt: sqlString(dtOf(to - days * 86_400_000)),
    to_dt: sqlString(dtOf(to)),
    limit: sqlInt(backtestLimits.maxEvents + 1),
  });
  const { rows } = await engine.query(sql);
  if (rows.length > backtestLimits.maxEvents) {
    throw new BacktestTooLargeError(`more than ${backtestLimits.maxEvents} events in ${days} days: replay a shorter window (--days)`);
  }
  const byPerson = new Map<string, ActivityEntry[]>();
  for (const row of rows) {
    const person = String(row.person);
    let list = byPerson.get(person);
    if (!list) byPerson.set(person, (list = []));
    list.push(entryOfRow(row));
  }
  const items = await profiles.many([...byPerson.keys()]);
  return [...byPerson].map(([profileId, activity]) => {
    const item = items.get(profileId);
    const identified = activity.some((e) => e.type === 'identify');
    return {
      profileId,
      known: Boolean(item?.known) || identified,
      ...(item?.email ? { email: item.email } : {}),
      ...(item?.traits ? { traits: item.traits } : {}),
      activity,
    };
  });
}
