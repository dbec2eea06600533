/**
 * BatchGetItem and BatchWriteItem in their size limits (100 keys, 25 writes), retrying unprocessed ones
 * (throttling) with a short backoff for a bounded number of rounds.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Rounds of retries for unprocessed keys or writes before giving up. */
const batchRounds = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Key = { pk: string; sk: string };
export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

export async function batchGet(doc: DynamoDBDocumentClient, table: string, keys: readonly Key[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round >= batchRounds) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${batchRounds} rounds`);
      if (round > 0) await sleep(50 * 2 ** round);
      const res = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      out.push(...(res.Responses?.[table] ?? []));
      pending = res.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return out;
}

export async function batchWrite(doc: DynamoDBDocumentClient, table: string, writes: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 25) {
    let pending = writes.slice(i, i + 25) as WriteRequest[] | undefined;
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round >= batchRounds) throw new Error(`BatchWriteItem left ${pending.length} writes unprocessed after ${batchRounds} rounds`);
      if (round > 0) await sleep(50 * 2 ** round);
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = res.UnprocessedItems?.[table] as WriteRequest[] | undefined;
    }
  }
}
