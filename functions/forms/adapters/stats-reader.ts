import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { formKeys } from '../domain/model.js';
import type { DailyCounters } from '../domain/stats.js';

/** The daily counters of forms (`fstat#<formId>` / `d#<date>`), written by the submit path and the pages. */
export class DynamoStatsReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Counters from `from` to `to` (dates, inclusive). At most 366 items: one page in practice, paged anyway. */
  async days(formId: string, from: string, to: string): Promise<DailyCounters[]> {
    const out: DailyCounters[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': formKeys.formStatsPk(formId), ':from': formKeys.statsSk(from), ':to': formKeys.statsSk(to) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        const n = (k: string) => (typeof item[k] === 'number' ? (item[k] as number) : 0);
        out.push({ date: String(item.sk).slice(2), views: n('views'), submissions: n('submissions'), refused: n('refused') });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
