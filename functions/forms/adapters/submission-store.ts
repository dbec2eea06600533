import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { formKeys, type Submission } from '../domain/model.js';
import type { AcceptedRecord, SubmissionStore } from '../domain/submit.js';

/**
 * Submissions in the main table (keys: domain/model.ts formKeys). Accepting one is a single
 * TransactWriteItems: the submission item, its guard `fsid#<formId>#<submissionId>` (condition: absent)
 * and the day's `submissions` counters of the form and of its landing page, so a counter never counts a
 * submission twice and never misses one. A guard that already stands cancels the whole transaction.
 */
export class DynamoSubmissionStore implements SubmissionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async accepted(formId: string, submissionId: string): Promise<AcceptedRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: formKeys.guardPk(formId, submissionId), sk: formKeys.guardSk }, ConsistentRead: true }),
    );
    const item = res.Item;
    return item ? { submittedAt: String(item.submittedAt), profileId: String(item.profileId) } : undefined;
  }

  async accept(submission: Submission): Promise<boolean> {
    const { formId, submissionId, submittedAt } = submission;
    const date = submittedAt.slice(0, 10);
    const absent = 'attribute_not_exists(pk)';
    const counter = (pk: string) => ({
      Update: {
        TableName: this.tableName,
        Key: { pk, sk: formKeys.statsSk(date) },
        UpdateExpression: 'ADD submissions :one',
        ExpressionAttributeValues: { ':one': 1 },
      },
    });
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: formKeys.guardPk(formId, submissionId), sk: formKeys.guardSk, submittedAt, profileId: submission.profileId },
                ConditionExpression: absent,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: formKeys.submissionPk(formId), sk: formKeys.submissionSk(submittedAt, submissionId), ...submission },
                ConditionExpression: absent,
              },
            },
            counter(formKeys.formStatsPk(formId)),
            ...(submission.page ? [counter(formKeys.pageStatsPk(submission.page))] : []),
          ],
        }),
      );
      return true;
    } catch (err) {
      // The guard's condition failed: the same submission was accepted meanwhile (a concurrent duplicate).
      if (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  async countRefused(formId: string, date: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: formKeys.formStatsPk(formId), sk: formKeys.statsSk(date) },
        UpdateExpression: 'ADD refused :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
}
