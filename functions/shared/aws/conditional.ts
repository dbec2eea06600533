/**
 * Conditional DynamoDB writes as booleans: true when written, false when the condition did not hold (a
 * version moved, an item exists or is gone: the caller's "someone else got there first"). Any other
 * failure is thrown as it is. For a transaction, false when any step's condition failed.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

export async function transactionConditionsHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw err;
  }
}
