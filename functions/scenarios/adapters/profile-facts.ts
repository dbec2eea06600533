/**
 * Reads what conditions need: the profile item (following merges), and its activity history (the
 * processor keeps the latest entries on the profile item as `recent`, older ones in archive items
 * `a#<time>#<id>` with an `entries` list).
 */
import type { ActivityHistory } from '../../analytics/adapters/lake-activity.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProfileReader } from '../../profiles/adapters/profile-reader.js';
import type { ActivityEntry, ProfileItem } from '../../profiles/domain/profile.js';
import {
  type Activity,
  activityMatches,
  type AtomicCondition,
  evaluateAtoms,
  isBehaviour,
  isLastEmail,
  type LastEmailFacts,
  windowStart,
} from '../domain/conditions.js';
import type { LastSend } from '../domain/contract.js';
import type { RecentActivity } from '../domain/enroll.js';
import { scenarioLimits } from '../domain/limits.js';

/** Merged profiles whose archived history a condition reads (the most recent merges). */
export const mergedHistoriesRead = 5;

export type { ProfileItem };

function toActivity(e: ActivityEntry): Activity {
  return { event: e.type === 'page' ? 'Page Viewed' : (e.name ?? e.type), occurredAt: e.t, ...(e.path ? { path: e.path } : {}) };
}

export class ProfileFacts {
  private readonly profiles: ProfileReader;

  /** `history`: the event lake, where behaviour conditions find page views and older activity. */
  constructor(doc: DynamoDBDocumentClient, tableName: string, history?: ActivityHistory) {
    this.profiles = new ProfileReader(doc, tableName, true, history);
  }

  /** The profile, or its survivor when it was merged; undefined when there is none. */
  async profile(profileId: string): Promise<ProfileItem | undefined> {
    return this.profiles.resolve(profileId);
  }

  /**
   * The activity kept on the profile item itself (its latest entries, with properties when small), read
   * without following merges: what enrollment checks a goal against.
   */
  async recentActivity(profileId: string): Promise<RecentActivity[]> {
    return (await this.profiles.recent(profileId)) as RecentActivity[];
  }

  /** Activity since `since` (ISO), newest first, at most maxActivityItems entries. */
  async activitySince(profile: ProfileItem, since: string): Promise<Activity[]> {
    const entries = await this.profiles.activity(profile, { since, limit: scenarioLimits.maxActivityItems, merged: mergedHistoriesRead });
    return entries.map(toActivity);
  }

  /** Evaluates condition leaves for a person: one boolean per atom, in order. */
  async evaluate(profileId: string, atoms: readonly AtomicCondition[], lastSend: LastSend | null, now = new Date()): Promise<boolean[]> {
    const profile = await this.profile(profileId);
    const behaviourCounts = new Map<number, number>();
    let lastEmail: LastEmailFacts | undefined;
    const needsHistory = atoms.some((a) => isBehaviour(a) || isLastEmail(a));
    if (profile && needsHistory) {
      const windows = atoms.map((a) => (isBehaviour(a) ? windowStart(a, now) : isLastEmail(a) ? (lastSend?.at ?? now.toISOString()) : undefined));
      const since = windows.filter((w): w is string => w !== undefined).sort()[0]!;
      const history = await this.activitySince(profile, since);
      atoms.forEach((atom, i) => {
        if (isBehaviour(atom)) {
          const from = windows[i]!;
          behaviourCounts.set(i, history.filter((a) => a.occurredAt >= from && activityMatches(atom, a)).length);
        }
      });
      if (lastSend?.status === 'sent') {
        const after = history.filter((a) => a.occurredAt >= lastSend.at);
        lastEmail = {
          opened: after.some((a) => a.event === 'Email Opened' || a.event === 'Email Link Clicked'),
          clicked: after.some((a) => a.event === 'Email Link Clicked'),
        };
      }
    }
    return evaluateAtoms(atoms, { ...(profile ? { profile } : {}), behaviourCounts, ...(lastEmail ? { lastEmail } : {}) });
  }
}
