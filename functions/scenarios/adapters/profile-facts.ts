/**
 * Reads what conditions need: the profile item (following merges), and its activity history (the
 * processor keeps the latest entries on the profile item as `recent`, older ones in archive items
 * `a#<time>#<id>` with an `entries` list).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { profilePk, profileSk } from '../../identity/domain/profile.js';
import {
  type Activity,
  activityMatches,
  type AtomicCondition,
  evaluateAtoms,
  isBehaviour,
  isLastEmail,
  type LastEmailFacts,
  type ProfileView,
  windowStart,
} from '../domain/conditions.js';
import type { LastSend } from '../domain/contract.js';
import type { RecentActivity } from '../domain/enroll.js';
import { scenarioLimits } from '../domain/limits.js';

/** Merge hops followed from a profile id to its survivor (merges chain rarely; a loop must not hang). */
export const maxMergeHops = 3;

interface Entry {
  id?: string;
  t: string;
  type: string;
  name?: string;
  path?: string;
}

export type ProfileItem = ProfileView & { profileId: string; recent?: Entry[]; merged?: string[]; mergedInto?: string };

function toActivity(e: Entry): Activity {
  return { event: e.type === 'page' ? 'Page Viewed' : (e.name ?? e.type), occurredAt: e.t, ...(e.path ? { path: e.path } : {}) };
}

export class ProfileFacts {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The profile, or its survivor when it was merged; undefined when there is none. */
  async profile(profileId: string): Promise<ProfileItem | undefined> {
    let id = profileId;
    for (let hop = 0; hop <= maxMergeHops; hop++) {
      const res = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(id), sk: profileSk }, ConsistentRead: true }),
      );
      const item = res.Item as (ProfileItem & { mergedInto?: string }) | undefined;
      if (!item) return undefined;
      if (!item.mergedInto) return { ...item, profileId: id };
      id = item.mergedInto;
    }
    return undefined;
  }

  /**
   * The activity kept on the profile item itself (its latest entries, with properties when small), read
   * without following merges: what enrollment checks a goal against.
   */
  async recentActivity(profileId: string): Promise<RecentActivity[]> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: profilePk(profileId), sk: profileSk },
        ProjectionExpression: '#recent',
        ExpressionAttributeNames: { '#recent': 'recent' },
      }),
    );
    return (res.Item?.recent ?? []) as RecentActivity[];
  }

  /** Activity since `since` (ISO), newest first, at most maxActivityItems entries. */
  async activitySince(profile: ProfileItem, since: string): Promise<Activity[]> {
    const out = new Map<string, Activity>();
    const add = (e: Entry) => {
      if (e.t >= since && out.size < scenarioLimits.maxActivityItems) out.set(e.id ?? `${e.t}#${out.size}`, toActivity(e));
    };
    const recent = profile.recent ?? [];
    recent.forEach(add);
    const oldestRecent = recent.reduce<string | undefined>((min, e) => (min === undefined || e.t < min ? e.t : min), undefined);
    // Older entries live in archive items only when the window reaches past the recent ones.
    if (oldestRecent === undefined || oldestRecent > since) {
      for (const id of [profile.profileId, ...(profile.merged ?? []).slice(0, 5)]) {
        await this.readArchive(id, since, add, () => out.size >= scenarioLimits.maxActivityItems);
      }
    }
    return [...out.values()].sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1));
  }

  private async readArchive(profileId: string, since: string, add: (e: Entry) => void, full: () => boolean) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': profilePk(profileId), ':a': 'a#' },
          ScanIndexForward: false,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        if (typeof item.to === 'string' && item.to < since) return;
        for (const e of (item.entries as Entry[] | undefined) ?? []) add(e);
        if (full()) return;
      }
      startKey = res.LastEvaluatedKey;
    } while (startKey);
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
