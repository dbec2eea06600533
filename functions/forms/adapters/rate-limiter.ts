import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { formKeys } from '../domain/model.js';
import { rateLimit, rateWindow } from '../domain/spam.js';

/**
 * The submission rate limit per network prefix: one counter item per fixed window
 * (`frl#<prefix>` / `w#<windowStartMs>`), taken with a conditional ADD so concurrent requests can never
 * take more than `max` between them. The item expires (`expiresAt`, TTL) a window after its own ends.
 */
export class DynamoRateLimiter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly max: number = rateLimit.max,
  ) {}

  /** Takes one submission from the prefix's current window; false when it is full. */
  async take(networkPrefix: string, now: Date): Promise<boolean> {
    const window = rateWindow(now);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: formKeys.rateLimitPk(networkPrefix), sk: formKeys.rateLimitSk(window.startMs) },
          UpdateExpression: 'ADD n :one SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(n) OR n < :max',
          ExpressionAttributeValues: { ':one': 1, ':exp': window.expiresAt, ':max': this.max },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
