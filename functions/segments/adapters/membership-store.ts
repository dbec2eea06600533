/**
 * Segment membership in the main table (key layout: domain/membership.ts). Entering and leaving are each
 * one transaction of the member item (conditional) and its shard counter, so a replayed change (an outbox
 * run again after a crash, a back-fill page retried) neither doubles a count nor resurrects a member:
 * the condition fails, the transaction is cancelled, and the change counts as already applied.
 * 4 write units per change (a transaction writes twice); nothing is written while membership holds.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { MembershipChange } from '../domain/diff.js';
import { countPk, type Member, type MemberPage, type MembershipReader, memberPk, memberShard } from '../domain/membership.js';
import { transactionConditionsHeld } from '../../shared/aws/conditional.js';

/** Largest page of members one call returns. */
export const maxMemberPage = 1000;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The cursor a page answered, decoded; undefined when it is not one of ours (the caller answers 400). */
export function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return key && typeof key === 'object' && !Array.isArray(key) ? (key as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor this list answered');
    this.name = 'InvalidCursorError';
  }
}

function memberOf(item: Record<string, unknown>): Member {
  return { profileId: String(item.profileId), enteredAt: String(item.enteredAt), ...(typeof item.segRank === 'number' ? { rank: item.segRank } : {}) };
}

export class DynamoMembershipStore implements MembershipReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Applies one change of one person. `rank` (the person's ranking key, when ranked) goes on an entering
   * member item. Answers false when the change was already applied (a replay).
   */
  async apply(profileId: string, change: MembershipChange, rank?: number): Promise<boolean> {
    const shard = memberShard(profileId);
    const key = { pk: memberPk(change.segmentId, shard), sk: profileId };
    const counter = {
      TableName: this.tableName,
      Key: { pk: countPk(change.segmentId), sk: String(shard) },
      UpdateExpression: 'ADD members :d',
      ExpressionAttributeValues: { ':d': change.type === 'segment.entered' ? 1 : -1 },
    };
    const member =
      change.type === 'segment.entered'
        ? {
            Put: {
              TableName: this.tableName,
              Item: { ...key, profileId, segmentId: change.segmentId, enteredAt: change.at, ...(rank === undefined ? {} : { segRank: rank }) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }
        : { Delete: { TableName: this.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' } };
    return transactionConditionsHeld(this.doc.send(new TransactWriteCommand({ TransactItems: [member, { Update: counter }] })));
  }

  /**
   * Moves a member's rank (the person's ranking key moved); nothing when they are no longer a member.
   * `undefined` removes the rank (the person is no longer ranked).
   */
  async rerank(segmentId: string, profileId: string, rank: number | undefined): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: memberPk(segmentId, memberShard(profileId)), sk: profileId },
          ConditionExpression: 'attribute_exists(pk)',
          ...(rank === undefined
            ? { UpdateExpression: 'REMOVE segRank' }
            : { UpdateExpression: 'SET segRank = :r', ExpressionAttributeValues: { ':r': rank } }),
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async count(segmentId: string): Promise<number> {
    const res = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': countPk(segmentId) }, ConsistentRead: true }),
    );
    // memberShards small items: always one page. A count below 0 cannot happen (exits are conditional).
    return Math.max(0, (res.Items ?? []).reduce((n, i) => n + Number(i.members ?? 0), 0));
  }

  async page(segmentId: string, shard: number, opts: { cursor?: string; limit?: number; order?: 'id' | 'rank' } = {}): Promise<MemberPage> {
    const start = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
    if (opts.cursor !== undefined && !start) throw new InvalidCursorError();
    const byRank = opts.order === 'rank';
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byRank ? { IndexName: 'bySegmentRank', ScanIndexForward: false } : { ConsistentRead: true }),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': memberPk(segmentId, shard) },
        Limit: Math.min(Math.max(1, opts.limit ?? 100), maxMemberPage),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const cursor = encodeCursor(res.LastEvaluatedKey);
    return { members: (res.Items ?? []).map(memberOf), ...(cursor ? { cursor } : {}) };
  }

  async isMember(segmentId: string, profileId: string): Promise<Member | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: memberPk(segmentId, memberShard(profileId)), sk: profileId }, ConsistentRead: true }),
    );
    return res.Item ? memberOf(res.Item) : undefined;
  }
}
