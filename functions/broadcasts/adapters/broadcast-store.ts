/**
 * Broadcasts in the main table (key layout: domain/model.ts): single-item conditional writes, and
 * BatchWriteItem for deferred entries. Feedback counters are added by sending's store, in the transaction
 * that marks the send record's first open, click, unsubscribe or bounce.
 */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { profilePk, profileSk } from '../../profiles/domain/profile.js';
import { BadRequestError } from '../../shared/errors.js';
import {
  type Broadcast,
  broadcastIndexPk,
  broadcastPk,
  broadcastSk,
  deferredPk,
  deferredSk,
  emptyShard,
  type FeedbackKind,
  feedbackKinds,
  type ShardState,
  shardSk,
} from '../domain/model.js';
import type { BroadcastStorePort, DeferredEntry } from '../domain/page.js';
import { conditionHeld } from '../../shared/aws/conditional.js';

/** BatchWriteItem's limit. */
const batchWriteMax = 25;
const keyAttrs = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
const strip = <T>(item: Record<string, unknown>): T => Object.fromEntries(Object.entries(item).filter(([k]) => !keyAttrs.includes(k))) as T;

export class DynamoBroadcastStore implements BroadcastStorePort {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async broadcast(id: string): Promise<Broadcast | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: broadcastPk(id), sk: broadcastSk }, ConsistentRead: true }));
    return res.Item ? strip<Broadcast>(res.Item) : undefined;
  }

  async create(b: Broadcast): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: broadcastPk(b.id), sk: broadcastSk, gsi1pk: broadcastIndexPk, gsi1sk: Date.parse(b.createdAt), ...b },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async shard(id: string, shard: number): Promise<ShardState> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: broadcastPk(id), sk: shardSk(shard) }, ConsistentRead: true }));
    return res.Item ? strip<ShardState>(res.Item) : emptyShard(shard);
  }

  async commit(id: string, pagesBefore: number, next: ShardState): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: broadcastPk(id), sk: shardSk(next.shard), ...next },
          ...(pagesBefore === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'pages = :p', ExpressionAttributeValues: { ':p': pagesBefore } }),
        }),
      ),
    );
  }

  async defer(id: string, shard: number, entries: readonly DeferredEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += batchWriteMax) {
      let requests = entries.slice(i, i + batchWriteMax).map((e) => ({ PutRequest: { Item: { pk: deferredPk(id, shard), sk: deferredSk(e.due, e.profileId), ...e } } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (res.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0 && attempt >= 5) throw new Error(`deferred entries of broadcast ${id} shard ${shard} not written after ${attempt + 1} attempts`);
        if (requests.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async deferredAfter(id: string, shard: number, after: string | undefined, limit: number): Promise<DeferredEntry[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': deferredPk(id, shard), ...(after ? { ':after': after } : {}) },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map((i) => ({ profileId: String(i.profileId), due: String(i.due), reason: String(i.reason) }));
  }

  async timeZone(profileId: string): Promise<string | undefined> {
    const res = await this.doc.send(
      // `timezone` is a DynamoDB reserved word.
      new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(profileId), sk: profileSk }, ProjectionExpression: '#tz', ExpressionAttributeNames: { '#tz': 'timezone' } }),
    );
    return typeof res.Item?.timezone === 'string' ? res.Item.timezone : undefined;
  }

  /** The broadcast's whole partition: the item, its shards and feedback counters (one Query, 33 small items). */
  private async partition(id: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': broadcastPk(id) }, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async allShards(id: string): Promise<ShardState[]> {
    const items = await this.partition(id);
    const stored = new Map(items.filter((i) => String(i.sk).startsWith('shard#')).map((i) => [Number(i.shard), strip<ShardState>(i)]));
    return Array.from({ length: 16 }, (_, n) => stored.get(n) ?? emptyShard(n));
  }

  async feedback(id: string): Promise<Partial<Record<FeedbackKind, number>>[]> {
    const items = await this.partition(id);
    return items
      .filter((i) => String(i.sk).startsWith('fb#'))
      .map((i) => Object.fromEntries(feedbackKinds.map((k) => [k, Number(i[k] ?? 0)])) as Partial<Record<FeedbackKind, number>>);
  }

  async setStatus(id: string, to: Broadcast['status'], from: readonly Broadcast['status'][], now: Date): Promise<boolean> {
    const values: Record<string, unknown> = { ':to': to, ':now': now.toISOString() };
    from.forEach((s, i) => {
      values[`:f${i}`] = s;
    });
    return conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: broadcastPk(id), sk: broadcastSk },
          UpdateExpression: 'SET #s = :to, updatedAt = :now',
          ConditionExpression: `#s IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async bumpGeneration(id: string, from: number): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: broadcastPk(id), sk: broadcastSk },
          UpdateExpression: 'SET generation = :next',
          ConditionExpression: 'generation = :from',
          ExpressionAttributeValues: { ':from': from, ':next': from + 1 },
        }),
      ),
    );
  }

  private async batchGet(keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      out.push(...(res.Responses?.[this.tableName] ?? []));
      pending = (res.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      if (pending.length > 0 && attempt >= 5) throw new Error('broadcast list: items not read after retries');
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    return out;
  }

  /** Broadcasts, newest first; BadRequestError naming `cursor` for a cursor this list did not hand out. */
  async list(limit: number, cursor?: string): Promise<{ items: Broadcast[]; cursor?: string }> {
    let start: Record<string, unknown> | undefined;
    if (cursor) {
      try {
        start = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new BadRequestError('cursor', 'not a cursor from this list');
      }
    }
    let res;
    try {
      res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byScore',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': broadcastIndexPk },
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
    } catch (err) {
      if (start && err instanceof DynamoDBServiceException && err.$fault === 'client') throw new BadRequestError('cursor', 'not a cursor from this list');
      throw err;
    }
    // The index carries keys only (its projection is the leads list's): the items come in one BatchGet.
    const keys = (res.Items ?? []).map((i) => ({ pk: i.pk, sk: i.sk }));
    const got = keys.length === 0 ? [] : await this.batchGet(keys);
    const byPk = new Map(got.map((i) => [String(i.pk), i]));
    return {
      items: keys.flatMap((k) => {
        const item = byPk.get(String(k.pk));
        return item ? [strip<Broadcast>(item)] : [];
      }),
      ...(res.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(res.LastEvaluatedKey)).toString('base64url') } : {}),
    };
  }
}
