/**
 * Segment definitions in the main table: one partition (`segdefs`), one item per segment (sort key = its
 * id) holding the document as JSON text and a version that every write checks, so two editors cannot
 * overwrite each other unseen. segmentLimits.maxSegments (100) small documents fit one Query page (1 MB);
 * the store follows LastEvaluatedKey all the same.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Segment } from '../domain/definition.js';
import { segmentSchema } from '../domain/schema.js';

/** Partition of segment definitions (functions/shared/resources.ts lists the item families). */
export const segmentPartition = 'segdefs';

export interface StoredSegment {
  segment: Segment;
  version: number;
  updatedAt?: string;
}

/** What the routes and the CLI need of stored definitions (DynamoSegmentStore; an in-memory one in tests). */
export interface SegmentStore {
  /** Every definition, by id. */
  list(): Promise<StoredSegment[]>;
  get(id: string): Promise<StoredSegment | undefined>;
  /** Stores a new definition at version 1; false when the id exists. */
  create(segment: Segment, now?: Date): Promise<boolean>;
  /** Replaces a definition if it is still `expectedVersion`; false when it moved or is gone. */
  replace(segment: Segment, expectedVersion: number, now?: Date): Promise<boolean>;
  /** Deletes a definition (if still `expectedVersion`, when given); false when it was absent or moved. */
  remove(id: string, expectedVersion?: number): Promise<boolean>;
}

const keyOf = (id: string) => ({ pk: segmentPartition, sk: id });

function storedOf(item: Record<string, unknown>): StoredSegment {
  // Written only after validation; parsed again so a hand-edited item fails loudly here.
  const segment = segmentSchema.parse(JSON.parse(String(item.doc))) as Segment;
  return { segment, version: Number(item.v), ...(item.updatedAt ? { updatedAt: String(item.updatedAt) } : {}) };
}

export class DynamoSegmentStore implements SegmentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<StoredSegment[]> {
    const out: StoredSegment[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': segmentPartition },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...(res.Items ?? []).map(storedOf));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async get(id: string): Promise<StoredSegment | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keyOf(id), ConsistentRead: true }));
    return res.Item ? storedOf(res.Item) : undefined;
  }

  create(segment: Segment, now = new Date()): Promise<boolean> {
    return this.put(segment, 0, now);
  }

  replace(segment: Segment, expectedVersion: number, now = new Date()): Promise<boolean> {
    return expectedVersion < 1 ? Promise.resolve(false) : this.put(segment, expectedVersion, now);
  }

  async remove(id: string, expectedVersion?: number): Promise<boolean> {
    return this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keyOf(id),
        ConditionExpression: expectedVersion === undefined ? 'attribute_exists(pk)' : 'v = :v',
        ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
  }

  private put(segment: Segment, expectedVersion: number, now: Date): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keyOf(segment.id), doc: JSON.stringify(segment), v: expectedVersion + 1, updatedAt: now.toISOString() },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'v = :v',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
  }

  private async conditional(command: PutCommand | DeleteCommand): Promise<boolean> {
    try {
      await this.doc.send(command as PutCommand);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
