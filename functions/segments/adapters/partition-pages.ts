/**
 * Pages of profile ids of a back-fill partition: a ranking index partition (`rank#<stage>#<shard>` of the
 * byScore index) or a segment's member partition (`seg#<id>#<shard>`). Cursors are the encoded
 * LastEvaluatedKey, kept in the job's progress.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, InvalidCursorError } from './membership-store.js';

export class PartitionPages {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async page(partition: string, cursor: string | undefined, limit: number): Promise<{ ids: string[]; cursor?: string }> {
    const start = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !start) throw new InvalidCursorError();
    const ranking = partition.startsWith('rank#');
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(ranking ? { IndexName: 'byScore', KeyConditionExpression: 'gsi1pk = :pk' } : { KeyConditionExpression: 'pk = :pk', ConsistentRead: true }),
        ExpressionAttributeValues: { ':pk': partition },
        ProjectionExpression: 'profileId',
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const next = encodeCursor(res.LastEvaluatedKey);
    return { ids: (res.Items ?? []).map((i) => String(i.profileId)), ...(next ? { cursor: next } : {}) };
  }
}
