/**
 * A person's touches read from the event lake (domain/touches-query.ts, queries/touches.sql): one query
 * over the person's profile ids and a bounded span of days.
 */
import type { LakeEngine } from '../domain/engine.js';
import { type LakeTouch, type LakeTouchesQuery, touchesOfRows, touchesSql } from '../domain/touches-query.js';
import { hasLake, lazyLakeEngine } from './lake-engine.js';
import { queryFragments, querySql } from './query-sql.js';

/** The port the profile API asks for a person's touches. */
export interface TouchHistory {
  read(q: LakeTouchesQuery): Promise<{ touches: LakeTouch[]; truncated: boolean }>;
}

export class LakeTouches implements TouchHistory {
  constructor(
    private readonly engine: () => Promise<LakeEngine>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(q: LakeTouchesQuery): Promise<{ touches: LakeTouch[]; truncated: boolean }> {
    if (q.profileIds.length === 0) return { touches: [], truncated: false };
    const engine = await this.engine();
    const { rows } = await engine.query(touchesSql(querySql('touches'), queryFragments(), q, this.now()));
    return touchesOfRows(rows);
  }
}

/** The lake's touches for a function, when its environment names a lake (the engine opens on first use). */
export function lakeTouchesFromEnv(env: NodeJS.ProcessEnv = process.env): LakeTouches | undefined {
  return hasLake(env) ? new LakeTouches(lazyLakeEngine(env)) : undefined;
}
