/** The sparse `bySegmentsDue` index: who is due for the segments sweep (functions/segments/domain/due-sweep.ts). */
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { segmentsDuePartitionOf } from '../domain/membership.js';

export class SegmentsDueIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *dueBy(shard: number, now: string): AsyncGenerator<string[]> {
    const pages = paginateQuery(
      { client: this.doc, pageSize: 100 },
      {
        TableName: this.tableName,
        IndexName: 'bySegmentsDue',
        KeyConditionExpression: 'gsi3pk = :pk AND segmentsDue <= :now',
        ExpressionAttributeValues: { ':pk': segmentsDuePartitionOf(shard), ':now': now },
        ProjectionExpression: 'profileId',
      },
    );
    for await (const page of pages) yield (page.Items ?? []).map((i) => String(i.profileId));
  }
}
