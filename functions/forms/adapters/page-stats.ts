import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { formKeys } from '../domain/model.js';

/** One day of a landing page's (or form's) counters. */
export interface StatsDay {
  date: string;
  views: number;
  submissions: number;
  refused: number;
}

/**
 * Daily counters of landing pages and forms in the main table (`pstat#<slug>` / `fstat#<formId>`, sk
 * `d#<YYYY-MM-DD>`, model.ts): one UpdateItem ADD per counter, so concurrent views never lose a count
 * and no read is needed. A view is counted once per request (a retried request may count twice: views
 * are a rate's denominator, not money).
 */
export class DynamoPageStats {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Adds one view to the page's day and, when it shows a form, to the form's day. */
  async countView(slug: string, formId: string | undefined, date: string): Promise<void> {
    const add = (pk: string) =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk, sk: formKeys.statsSk(date) },
          UpdateExpression: 'ADD #v :one',
          ExpressionAttributeNames: { '#v': 'views' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    await Promise.all([add(formKeys.pageStatsPk(slug)), ...(formId ? [add(formKeys.formStatsPk(formId))] : [])]);
  }

  /** The page's days from `from` (inclusive, YYYY-MM-DD), oldest first. */
  async pageDays(slug: string, from: string): Promise<StatsDay[]> {
    const out: StatsDay[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': formKeys.pageStatsPk(slug), ':from': formKeys.statsSk(from) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of res.Items ?? []) {
        out.push({ date: String(i.sk).slice(2), views: Number(i.views ?? 0), submissions: Number(i.submissions ?? 0), refused: Number(i.refused ?? 0) });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
