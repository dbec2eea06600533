/**
 * The operator's media registry in the main table: one item (`cfg#channels` / `registry`) holding the
 * document as JSON text and a version that every write checks, so two editors cannot overwrite each
 * other unseen. The item stays far below DynamoDB's 400 KB: registryLimits bound the document.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RegistryReader } from '../domain/ports.js';
import { type RegistryDoc, registryDocSchema } from '../domain/registry.js';

export const registryKey = { pk: 'cfg#channels', sk: 'registry' } as const;

export interface StoredRegistry {
  doc: RegistryDoc;
  version: number;
  updatedAt?: string;
}

export class DynamoRegistryStore implements RegistryReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The stored document and its version (version 0 and no media when none was stored). */
  async stored(): Promise<StoredRegistry> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: registryKey, ConsistentRead: true }));
    if (!res.Item) return { doc: { media: [] }, version: 0 };
    // Written only by putRegistry after validation; parsed again so a hand-edited item fails loudly here.
    const doc = registryDocSchema.parse(JSON.parse(String(res.Item.doc)));
    return { doc, version: Number(res.Item.v), ...(res.Item.updatedAt ? { updatedAt: String(res.Item.updatedAt) } : {}) };
  }

  async registry(): Promise<RegistryDoc | undefined> {
    const s = await this.stored();
    return s.version === 0 ? undefined : s.doc;
  }

  async putRegistry(doc: RegistryDoc, expectedVersion: number, now = new Date()): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...registryKey, doc: JSON.stringify(doc), v: expectedVersion + 1, updatedAt: now.toISOString() },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'v = :v',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
