/**
 * Ad costs in the main table: one item per (month, medium), `pk = cost#YYYY-MM`, `sk = <medium id>`,
 * holding that month's day × campaign rows as JSON text (functions/channels/domain/costs.ts bounds it far
 * below 400 KB), the currency and a version every write checks. Keyed by month first so reading a range
 * is one Query per month (every medium at once), never a scan.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CostReader, CostRow } from '../domain/ports.js';
import { type CostStorePort, decodeRows, encodeRows, type MonthCosts, type MonthKey, monthsBetween } from '../domain/costs.js';

export const costKey = (k: MonthKey) => ({ pk: `cost#${k.month}`, sk: k.medium });

/** BatchGetItem reads at most 100 keys a call. */
const batchGetMax = 100;

export class DynamoCostStore implements CostReader, CostStorePort {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readMonths(keys: readonly MonthKey[]): Promise<MonthCosts[]> {
    const found = new Map<string, MonthCosts>();
    for (let i = 0; i < keys.length; i += batchGetMax) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + batchGetMax).map(costKey);
      while (pending && pending.length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const month = String(item.pk).slice('cost#'.length);
          const medium = String(item.sk);
          found.set(`${medium} ${month}`, { medium, month, rows: decodeRows(medium, month, String(item.rows)), version: Number(item.v) });
        }
        pending = res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return keys.map((k) => found.get(`${k.medium} ${k.month}`) ?? { ...k, rows: [], version: 0 });
  }

  async writeMonths(items: readonly MonthCosts[], currency: string, now = new Date()): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: items.map((m) => ({
            Put: {
              TableName: this.tableName,
              Item: { ...costKey(m), rows: encodeRows(m.rows), currency, v: m.version + 1, updatedAt: now.toISOString() },
              ConditionExpression: m.version === 0 ? 'attribute_not_exists(pk)' : 'v = :v',
              ...(m.version === 0 ? {} : { ExpressionAttributeValues: { ':v': m.version } }),
            },
          })),
        }),
      );
      return true;
    } catch (err) {
      // A version that moved cancels the transaction with ConditionalCheckFailed; other reasons are not ours.
      if (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  /** Every cost row of the days from..to, optionally of one medium: one Query per month. */
  async costs(from: string, to: string, medium?: string): Promise<CostRow[]> {
    const out: CostRow[] = [];
    for (const month of monthsBetween(from, to)) {
      let start: Record<string, unknown> | undefined;
      do {
        const res: QueryCommandOutput = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: medium === undefined ? 'pk = :pk' : 'pk = :pk AND sk = :sk',
            ExpressionAttributeValues: { ':pk': `cost#${month}`, ...(medium === undefined ? {} : { ':sk': medium }) },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of res.Items ?? []) {
          for (const r of decodeRows(String(item.sk), month, String(item.rows))) if (r.day >= from && r.day <= to) out.push(r);
        }
        start = res.LastEvaluatedKey;
      } while (start);
    }
    return out;
  }
}
