/**
 * Model lists in the main table: whole TopLists put at their keys (model.ts), and per list family a manifest
 * of the partition keys the last build wrote (`recbuild#<family>` / `part#<nnnn>`, up to manifestPartKeys
 * each), so that a rebuild deletes the lists of products that no longer have neighbours without a scan.
 *
 * Crash safety: the manifest is first widened to old ∪ new, then lists are written, stale lists deleted,
 * and the manifest narrowed to the new keys. Whatever step a build stops at, the manifest names every list
 * that exists, so the next build still finds and deletes the stale ones.
 */
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { BuiltList, ListFamily } from '../domain/build.js';
import { staleKeys } from '../domain/build.js';
import { batchWrite, type WriteRequest } from './dynamo-batch.js';

/** Keys one manifest item holds: 2,000 × at most ~150 bytes stays well under DynamoDB's 400 KB item size. */
export const manifestPartKeys = 2_000;

const manifestPk = (family: ListFamily) => `recbuild#${family}`;
const partSk = (n: number) => `part#${String(n).padStart(4, '0')}`;
const listSk = 'top';

export class DynamoTopListStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The partition keys the manifest of `family` names, and how many parts it has. */
  async manifest(family: ListFamily): Promise<{ keys: string[]; parts: number }> {
    const keys: string[] = [];
    let parts = 0;
    const pages = paginateQuery({ client: this.doc }, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': manifestPk(family) }, ConsistentRead: true });
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        parts++;
        keys.push(...((item.keys as string[] | undefined) ?? []));
      }
    }
    return { keys, parts };
  }

  private async writeManifest(family: ListFamily, keys: readonly string[], oldParts: number): Promise<number> {
    const sorted = [...new Set(keys)].sort();
    const writes: WriteRequest[] = [];
    let n = 0;
    for (; n * manifestPartKeys < sorted.length; n++) {
      writes.push({ PutRequest: { Item: { pk: manifestPk(family), sk: partSk(n), keys: sorted.slice(n * manifestPartKeys, (n + 1) * manifestPartKeys) } } });
    }
    for (let extra = n; extra < oldParts; extra++) writes.push({ DeleteRequest: { Key: { pk: manifestPk(family), sk: partSk(extra) } } });
    await batchWrite(this.doc, this.tableName, writes);
    return n;
  }

  /** Writes one family's lists and deletes the lists the previous build wrote that this one did not. */
  async replaceFamily(family: ListFamily, lists: readonly BuiltList[]): Promise<{ written: number; deleted: number }> {
    const previous = await this.manifest(family);
    const current = lists.map((l) => l.key.pk);
    const parts = await this.writeManifest(family, [...previous.keys, ...current], previous.parts);
    await batchWrite(
      this.doc,
      this.tableName,
      lists.map((l) => ({ PutRequest: { Item: { ...l.key, ...l.list } } })),
    );
    const stale = staleKeys(previous.keys, current);
    await batchWrite(
      this.doc,
      this.tableName,
      stale.map((pk) => ({ DeleteRequest: { Key: { pk, sk: listSk } } })),
    );
    await this.writeManifest(family, current, parts);
    return { written: lists.length, deleted: stale.length };
  }
}
