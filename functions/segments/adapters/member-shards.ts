/**
 * Reads one member shard's stream from a position (domain/member-list.ts): its ranked members from the
 * `bySegmentRank` index, highest first, then its unranked members from the table in id order. Positions
 * are keys, so a page resumes right after the last member it emitted, wherever that was in a query page
 * (the membership store's own cursors resume only at a query page's end).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberShardReader, ShardPosition, ShardRead } from '../domain/member-list.js';
import { type Member, memberPk } from '../domain/membership.js';
import { maxMemberPage } from './membership-store.js';

function memberOf(item: Record<string, unknown>): Member {
  return { profileId: String(item.profileId), enteredAt: String(item.enteredAt), ...(typeof item.segRank === 'number' ? { rank: item.segRank } : {}) };
}

export class DynamoMemberShards implements MemberShardReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(segmentId: string, shard: number, from: ShardPosition, limit: number): Promise<ShardRead> {
    if (from.phase === 'done') return { members: [], next: from };
    const pk = memberPk(segmentId, shard);
    const Limit = Math.min(Math.max(1, limit), maxMemberPage);
    if (from.phase === 'ranked') {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'bySegmentRank',
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit,
          ...(from.after ? { ExclusiveStartKey: { pk, sk: from.after.profileId, segRank: from.after.rank } } : {}),
        }),
      );
      const members = (res.Items ?? []).map(memberOf);
      const last = members.at(-1);
      // No LastEvaluatedKey: the ranked part is read; the unranked part starts at the shard's first id.
      return { members, next: res.LastEvaluatedKey && last?.rank !== undefined ? { phase: 'ranked', after: { rank: last.rank, profileId: last.profileId } } : { phase: 'unranked' } };
    }
    // Unranked members are those without segRank: Limit counts the items read before the filter, so a
    // page may hold fewer than asked; LastEvaluatedKey says where the reading stopped.
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(segRank)',
        ExpressionAttributeValues: { ':pk': pk },
        Limit,
        ...(from.after ? { ExclusiveStartKey: { pk, sk: from.after } } : {}),
      }),
    );
    const members = (res.Items ?? []).map(memberOf);
    const stop = res.LastEvaluatedKey?.sk;
    return { members, next: typeof stop === 'string' ? { phase: 'unranked', after: stop } : { phase: 'done' } };
  }
}
