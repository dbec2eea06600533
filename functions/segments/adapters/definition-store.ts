/**
 * Segment definitions in the main table: one partition (`segdefs`), one item per segment (sort key = its
 * id) holding the document as JSON text and a version that every write checks, so two editors cannot
 * overwrite each other unseen. Every write also opens the segment's back-fill in the same transaction
 * (evaluate existing people for a new or changed definition, purge members of a deleted one: backfill.ts),
 * so no definition change goes without one. segmentLimits.maxSegments (100) small documents fit one Query page (1 MB);
 * the store follows LastEvaluatedKey all the same.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobKind } from '../domain/backfill.js';
import { jobItems } from './backfill-store.js';
import { transactionConditionsHeld } from '../../shared/aws/conditional.js';
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

  async remove(id: string, expectedVersion?: number, now = new Date()): Promise<boolean> {
    const current = expectedVersion ?? (await this.get(id))?.version;
    if (current === undefined) return false;
    return this.write(
      { Delete: { TableName: this.tableName, Key: keyOf(id), ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': current } } },
      id,
      current + 1,
      'purge',
      now,
    );
  }

  private put(segment: Segment, expectedVersion: number, now: Date): Promise<boolean> {
    return this.write(
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keyOf(segment.id), doc: JSON.stringify(segment), v: expectedVersion + 1, updatedAt: now.toISOString() },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'v = :v',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        },
      },
      segment.id,
      expectedVersion + 1,
      'evaluate',
      now,
    );
  }

  /** The definition write and its back-fill job in one transaction; false when the version condition failed. */
  private async write(definition: object, segmentId: string, version: number, kind: JobKind, now: Date): Promise<boolean> {
    const job = jobItems({ segmentId, version, kind, startedAt: now.toISOString() }).map((Item) => ({ Put: { TableName: this.tableName, Item } }));
    return transactionConditionsHeld(this.doc.send(new TransactWriteCommand({ TransactItems: [definition, ...job] as never })));
  }
}
