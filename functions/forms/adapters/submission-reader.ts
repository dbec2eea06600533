import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { formKeys, type Submission } from '../domain/model.js';
import { decodeSubmissionCursor, encodeSubmissionCursor } from '../domain/submission-cursor.js';

export interface SubmissionQuery {
  limit: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** Inclusive bounds on submittedAt: a date (`2026-12-01`, the whole day) or an ISO time. */
  from?: string;
  to?: string;
}

export interface SubmissionPage {
  items: Submission[];
  cursor?: string;
}

/** Submissions of a form, newest first, from the items the submit path writes (`fsub#<formId>`). */
export class DynamoSubmissionReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async page(formId: string, q: SubmissionQuery): Promise<SubmissionPage> {
    const pk = formKeys.submissionPk(formId);
    // sk = `<submittedAt>#<id>`: every sk of a day or instant starts with it, and sorts below it + U+FFFF.
    const from = q.from ?? '';
    const to = `${q.to ?? '9999'}\uffff`;
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': from || '0', ':to': to },
        ScanIndexForward: false,
        Limit: q.limit,
        ...(q.cursor ? { ExclusiveStartKey: decodeSubmissionCursor(q.cursor, formId) } : {}),
      }),
    );
    const items = (res.Items ?? []).map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as Submission);
    return { items, ...(res.LastEvaluatedKey ? { cursor: encodeSubmissionCursor(res.LastEvaluatedKey) } : {}) };
  }
}
