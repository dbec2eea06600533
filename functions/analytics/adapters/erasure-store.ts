/**
 * Erasure requests in the main table: `erasure#<requestId>` / `erasure`, one item each. While a request is
 * pending it also has a sparse entry in the `byScore` index (`gsi1pk = erasure#pending`, `gsi1sk` = time
 * requested), so the job finds pending requests oldest first without a scan; saving a done request drops it.
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mainTable } from '../../shared/resources.js';
import type { ErasureRequest, ErasureStore } from '../domain/erase-job.js';
import { erasureKeyPrefix } from '../domain/erasure.js';

/** Index partition of pending erasure requests (a handful at a time: erasure requests are rare). */
export const pendingIndexPk = 'erasure#pending';
export const erasureSk = 'erasure';
export const erasurePk = (requestId: string) => `${erasureKeyPrefix}${requestId}`;

const fields = ['requestId', 'profileId', 'status', 'requestedAt', 'attempts', 'ids', 'files', 'rows', 'completedAt', 'lastError'] as const;

function fromItem(item: Record<string, unknown>): ErasureRequest {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as ErasureRequest;
}

export class DynamoErasureStore implements ErasureStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(request: ErasureRequest): Promise<void> {
    await this.save(request);
  }

  async get(requestId: string): Promise<ErasureRequest | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: erasurePk(requestId), sk: erasureSk } }));
    return res.Item ? fromItem(res.Item) : undefined;
  }

  async pending(limit: number): Promise<ErasureRequest[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: mainTable.indexes[0]!.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pendingIndexPk },
        ScanIndexForward: true,
        Limit: limit,
      }),
    );
    const keys = (res.Items ?? []).map((i) => ({ pk: i.pk, sk: i.sk }));
    if (keys.length === 0) return [];
    const found = new Map<string, ErasureRequest>();
    let pending: Record<string, unknown>[] | undefined = keys;
    // BatchGet may leave keys unprocessed under throttling: a few rounds, then the rest waits for the next run.
    for (let round = 0; pending && pending.length > 0 && round < 5; round++) {
      const got: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of got.Responses?.[this.tableName] ?? []) found.set(String(item.pk), fromItem(item));
      pending = got.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return keys.flatMap((k) => {
      const r = found.get(String(k.pk));
      return r && r.status === 'pending' ? [r] : [];
    });
  }

  async save(request: ErasureRequest): Promise<void> {
    const pending = request.status === 'pending' ? { gsi1pk: pendingIndexPk, gsi1sk: Date.parse(request.requestedAt) } : {};
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...request, pk: erasurePk(request.requestId), sk: erasureSk, ...pending } }),
    );
  }
}
