/** What readers of profiles need from the store: the port profiles/adapters/profile-reader.ts implements. */
import type { ActivityEntry, ProfileItem } from './profile.js';

export interface ActivityQuery {
  /** Only entries after this one in newest-first order (time, then id): the next page of a list. */
  before?: string;
  /** With `before`: entries of that very time come after it when their id is lower. */
  beforeId?: string;
  /** Only entries at or after this time (ISO). */
  since?: string;
  /** At most this many entries (newest first). */
  limit?: number;
  /** Read the archives of at most this many merged profiles (default: all of them). */
  merged?: number;
}

/** A ranking index entry: only what the index projects (shared/resources.ts `include`). */
export interface RankRow {
  profileId: string;
  stage: string;
  /** The index sort key: log2 of the behaviour score, moved by time (scoring/domain/decay.ts). */
  rankKey?: number;
  fitPoints?: number;
  email?: string;
  name?: string;
  company?: string;
  lastSeenAt?: string;
}

export interface ProfileReads {
  /** The live profile an id resolves to, following merges; undefined when there is none. */
  resolve(profileId: string): Promise<ProfileItem | undefined>;
  /** Activity of a profile and of those merged into it, newest first. */
  activity(profile: Pick<ProfileItem, 'profileId' | 'recent' | 'merged'>, q?: ActivityQuery): Promise<ActivityEntry[]>;
  /** One page of a ranking index partition, best first. */
  rankPage(stage: string, shard: number, limit: number): Promise<RankRow[]>;
}
