/**
 * A person's activity read from the event lake, span by span (domain/activity-query.ts) until the page is
 * full. The profile reader (profiles/adapters/profile-reader.ts) merges it with what the profile item
 * keeps; a function without a lake (no engine) reads the item alone.
 */
import type { ActivityEntry } from '../../profiles/domain/profile.js';
import { activitySpans, activitySql, entryOfRow, type LakeActivityQuery } from '../domain/activity-query.js';
import type { LakeEngine } from '../domain/engine.js';
import { hasLake, lazyLakeEngine } from './lake-engine.js';
import { querySql } from './query-sql.js';

/** The port the profile reader asks for older activity. */
export interface ActivityHistory {
  read(q: LakeActivityQuery): Promise<ActivityEntry[]>;
}

export class LakeActivity implements ActivityHistory {
  private readonly template = querySql('activity');

  constructor(
    private readonly engine: () => Promise<LakeEngine>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(q: LakeActivityQuery): Promise<ActivityEntry[]> {
    if (q.profileIds.length === 0) return [];
    const engine = await this.engine();
    const out: ActivityEntry[] = [];
    for (const span of activitySpans(q, this.now())) {
      const { rows } = await engine.query(activitySql(this.template, { ...q, limit: q.limit - out.length }, span));
      out.push(...rows.map(entryOfRow));
      if (out.length >= q.limit) break;
    }
    return out;
  }
}

/** The lake's history for a function, when its environment names a lake (the engine opens on first use). */
export function lakeActivityFromEnv(env: NodeJS.ProcessEnv = process.env): LakeActivity | undefined {
  return hasLake(env) ? new LakeActivity(lazyLakeEngine(env)) : undefined;
}
