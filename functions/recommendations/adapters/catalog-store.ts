/**
 * The catalog in the main table: one `cat#<productId>` / `product` item per product (model.ts). Reads by
 * BatchGetItem of the ids asked about, never a scan; writes whole products by BatchWriteItem.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Product, productKey } from '../domain/model.js';
import { batchGet, batchWrite } from './dynamo-batch.js';

export class DynamoCatalogStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The stored products among `ids`. */
  async many(ids: Iterable<string>): Promise<Map<string, Product>> {
    const items = await batchGet(this.doc, this.tableName, [...new Set(ids)].map(productKey));
    const out = new Map<string, Product>();
    for (const { pk: _pk, sk: _sk, ...rest } of items) {
      const p = rest as unknown as Product;
      out.set(p.productId, p);
    }
    return out;
  }

  /** Writes whole products (put: the record given is the record kept). */
  async putMany(products: readonly Product[]): Promise<void> {
    await batchWrite(
      this.doc,
      this.tableName,
      products.map((p) => ({ PutRequest: { Item: { ...productKey(p.productId), ...p } } })),
    );
  }
}
