/**
 * The one reader of stored profiles: by id through merges, their activity history, and the ranking
 * index. Sending, scenarios, the sweep, the admin API and the back-test all read through it.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ActivityHistory } from '../../analytics/adapters/lake-activity.js';
import { mainTable } from '../../shared/resources.js';
import { followMerges } from '../domain/merge-chain.js';
import { type ActivityEntry, archivePrefix, duePartitionOf, type ProfileItem, profilePk, profileSk, rankPartitionOf } from '../domain/profile.js';
import type { ActivityQuery, ProfileReads, RankRow } from '../domain/reads.js';

/** Archive items read per query page (each holds the entries one update moved out of the profile item). */
const archivePage = 10;
/** Entries read from the lake for a query without a limit (a behaviour condition's window). */
const maxLakeEntries = 1000;

const pick = (q: ActivityQuery) => ({
  ...(q.before !== undefined ? { before: q.before } : {}),
  ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
  ...(q.since !== undefined ? { since: q.since } : {}),
});

/** Rounds of BatchGetItem retries for unprocessed keys (throttling) before giving up. */
const batchGetRounds = 8;

const keyAttrs = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);
/** An item without its key attributes. */
export function strip<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!keyAttrs.has(k)) out[k] = v;
  return out as T;
}

/** One hop of a resolution: the items read under one profile id, by sort key. */
export interface Hop {
  profileId: string;
  items: Map<string, Record<string, unknown>>;
}

export class ProfileReader implements ProfileReads {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Strongly consistent reads (twice the cost): for writers that act on what they read (sending). */
    private readonly consistent = false,
    /** The event lake's history (page views, heartbeats and everything older than the item keeps). */
    private readonly history?: ActivityHistory,
  ) {}

  /** The live profile `profileId` resolves to (following merges); undefined when there is none. */
  async resolve(profileId: string): Promise<ProfileItem | undefined> {
    const found = await followMerges(profileId, async (id) => {
      const res = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(id), sk: profileSk }, ConsistentRead: this.consistent }),
      );
      return res.Item ? strip<ProfileItem>(res.Item) : undefined;
    });
    return found && { ...found.item, profileId: found.profileId };
  }

  /**
   * The activity kept on the profile item itself (its latest entries, with properties when small), read
   * without following merges: what enrollment checks a goal against.
   */
  async recent(profileId: string): Promise<ActivityEntry[]> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: profilePk(profileId), sk: profileSk },
        ProjectionExpression: '#recent',
        ExpressionAttributeNames: { '#recent': 'recent' },
        ConsistentRead: this.consistent,
      }),
    );
    return (res.Item?.recent ?? []) as ActivityEntry[];
  }

  /**
   * Like resolve, and reads items of the same partition with sort keys `sks` at every hop in the same
   * request (one BatchGetItem per hop): what sending needs beside the profile, in one round trip.
   */
  async resolveWith(profileId: string, sks: readonly string[]): Promise<{ profileId: string; profile?: ProfileItem; hops: Hop[] }> {
    const hops: Hop[] = [];
    const found = await followMerges(profileId, async (id) => {
      const items = await this.batchGet([profileSk, ...sks].map((sk) => ({ pk: profilePk(id), sk })));
      hops.push({ profileId: id, items });
      // A missing profile item ends the chain here, with the other items of the hop still read.
      const profile = items.get(profileSk);
      return { profile, ...(profile?.mergedInto ? { mergedInto: String(profile.mergedInto) } : {}) };
    });
    const id = found?.profileId ?? profileId;
    const profile = found?.item.profile;
    return { profileId: id, hops, ...(profile ? { profile: { ...strip<ProfileItem>(profile), profileId: id } } : {}) };
  }

  /**
   * Activity of a profile and of those merged into it, newest first (by time, then id), `limit` entries
   * after the `before` cursor and not older than `since`: the event lake's rows (every event, once the
   * lake has it) merged with the entries the item keeps (the latest business events, with their points,
   * at once) and archive items (written before the lake existed).
   */
  async activity(profile: Pick<ProfileItem, 'profileId' | 'recent' | 'merged'>, q: ActivityQuery = {}): Promise<ActivityEntry[]> {
    const limit = q.limit ?? Infinity;
    const older = (e: ActivityEntry) => !q.before || e.t < q.before || (q.beforeId !== undefined && e.t === q.before && e.id < q.beforeId);
    const wanted = (e: ActivityEntry) => older(e) && (!q.since || e.t >= q.since);
    const out = new Map<string, ActivityEntry>();
    const recent = profile.recent ?? [];
    for (const e of recent) if (wanted(e)) out.set(e.id, e);
    const merged = profile.merged ?? [];
    if (this.history) {
      const ids = [profile.profileId, ...merged.slice(0, q.merged ?? merged.length)];
      const lake = await this.history.read({ profileIds: ids, limit: Number.isFinite(limit) ? limit : maxLakeEntries, ...pick(q) });
      // The item's entry of the same event carries the points it earned: it wins.
      for (const e of lake) if (wanted(e) && !out.has(e.id)) out.set(e.id, e);
    }
    const oldestRecent = recent.reduce<string | undefined>((min, e) => (min === undefined || e.t < min ? e.t : min), undefined);
    // When the window starts inside the recent entries, the archive holds nothing newer.
    if (q.since && oldestRecent !== undefined && oldestRecent <= q.since) return newestFirst(out, limit);
    for (const id of [profile.profileId, ...merged.slice(0, q.merged ?? merged.length)]) {
      let found = 0;
      const pages = paginateQuery(
        { client: this.doc, pageSize: archivePage },
        {
          TableName: this.tableName,
          KeyConditionExpression: q.before ? 'pk = :pk AND sk BETWEEN :lo AND :hi' : 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: q.before
            ? // Items are keyed by their first entry (`a#<time>#<id>`): those starting at `before` itself count.
              { ':pk': profilePk(id), ':lo': archivePrefix, ':hi': `${archivePrefix}${q.before}#\uffff` }
            : { ':pk': profilePk(id), ':a': archivePrefix },
          ScanIndexForward: false,
        },
      );
      archive: for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if (q.since && typeof item.to === 'string' && item.to < q.since) break archive;
          for (const e of (item.entries as ActivityEntry[] | undefined) ?? []) {
            if (wanted(e) && !out.has(e.id)) {
              out.set(e.id, e);
              found++;
            }
          }
          if (found >= limit) break archive;
        }
      }
    }
    return newestFirst(out, limit);
  }

  /** One page of a ranking index partition, best first (the index projects only RankRow's attributes). */
  async rankPage(stage: string, shard: number, limit: number): Promise<RankRow[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: mainTable.indexes[0]!.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': rankPartitionOf(stage, shard) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map(rankRow);
  }

  /** Pages of the leads of a ranking partition last seen before `cutoff`, with how many entries were scanned. */
  async *lastSeenBefore(stage: string, shard: number, cutoff: string): AsyncGenerator<{ rows: RankRow[]; scanned: number }> {
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: mainTable.indexes[0]!.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: 'lastSeenAt < :cutoff',
        ExpressionAttributeValues: { ':pk': rankPartitionOf(stage, shard), ':cutoff': cutoff },
        ProjectionExpression: 'profileId, lastSeenAt, stage',
      },
    );
    for await (const page of pages) yield { rows: (page.Items ?? []).map(rankRow), scanned: page.ScannedCount ?? 0 };
  }

  /** Pages of ids of customers whose lifecycle is due (lifecycleDue ≤ `now`) in one partition of the due index. */
  async *dueBy(shard: number, now: string): AsyncGenerator<string[]> {
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: mainTable.indexes[1]!.name,
        KeyConditionExpression: 'gsi2pk = :pk AND lifecycleDue <= :now',
        ExpressionAttributeValues: { ':pk': duePartitionOf(shard), ':now': now },
        ProjectionExpression: 'profileId',
      },
    );
    for await (const page of pages) yield (page.Items ?? []).map((i) => String(i.profileId));
  }

  /** Every live (not merged) profile item: a full table scan, for offline tools only. */
  async *scanLive(projection: readonly (keyof ProfileItem)[]): AsyncGenerator<ProfileItem> {
    const pages = paginateScan(
      { client: this.doc },
      {
        TableName: this.tableName,
        FilterExpression: 'sk = :profile AND attribute_not_exists(mergedInto)',
        ExpressionAttributeValues: { ':profile': profileSk },
        ProjectionExpression: projection.join(', '),
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield item as ProfileItem;
  }

  /**
   * Profile items by id (100 per BatchGetItem), without following merges: what an offline tool needs of
   * many people at once (the back-test's known flags and traits). Missing ids are absent from the map.
   */
  async many(profileIds: readonly string[]): Promise<Map<string, ProfileItem>> {
    const out = new Map<string, ProfileItem>();
    const unique = [...new Set(profileIds)];
    for (let i = 0; i < unique.length; i += 100) {
      const items = await this.batchGet(unique.slice(i, i + 100).map((id) => ({ pk: profilePk(id), sk: profileSk })), (item) => String(item.pk).slice(2));
      for (const [id, item] of items) out.set(id, strip<ProfileItem>(item));
    }
    return out;
  }

  /** Items by key (at most 100), keyed by `keyOf` (default: the sort key, for items of one partition). */
  private async batchGet(
    keys: { pk: string; sk: string }[],
    keyOf: (item: Record<string, unknown>) => string = (item) => String(item.sk),
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    let request: BatchGetCommandOutput['UnprocessedKeys'] = { [this.tableName]: { Keys: keys, ConsistentRead: this.consistent } };
    // BatchGet may return UnprocessedKeys under throttling; loop until all are read.
    for (let round = 0; request && Object.keys(request).length > 0 && round < batchGetRounds; round++) {
      const res: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[this.tableName] ?? []) out.set(keyOf(item), item);
      request = res.UnprocessedKeys?.[this.tableName]?.Keys?.length ? res.UnprocessedKeys : undefined;
    }
    if (request && Object.keys(request).length > 0) throw new Error(`profile read left unprocessed keys after ${batchGetRounds} rounds`);
    return out;
  }
}

function newestFirst(entries: Map<string, ActivityEntry>, limit: number): ActivityEntry[] {
  return [...entries.values()].sort((a, b) => (a.t < b.t ? 1 : a.t > b.t ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit);
}

function rankRow(item: Record<string, unknown>): RankRow {
  return {
    profileId: String(item.profileId),
    stage: String(item.stage),
    ...(item.gsi1sk !== undefined ? { rankKey: Number(item.gsi1sk) } : {}),
    ...(item.fitPoints !== undefined ? { fitPoints: Number(item.fitPoints) } : {}),
    ...(item.email ? { email: String(item.email) } : {}),
    ...(item.leadName ? { name: String(item.leadName) } : {}),
    ...(item.company ? { company: String(item.company) } : {}),
    ...(item.lastSeenAt !== undefined ? { lastSeenAt: item.lastSeenAt as string } : {}),
  };
}
