import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredSubmission } from '../domain/follow-up.js';
import { formKeys, type Submission } from '../domain/model.js';

type Item = Record<string, unknown>;

/**
 * Submissions as the submit route stored them, found by their idempotency guard (`fsid#<formId>#<sid>` /
 * `sub`): the guard names the submission item (`submissionPk`/`submissionSk`, or its `submittedAt`), or
 * holds the submission itself. Both shapes are read. The follow-up and the confirm routes write only
 * their own attributes (`handedOffAt`, `doubleOptIn`, `confirmedAt`), conditionally.
 */
export class DynamoSubmissionState {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(formId: string, submissionId: string): Promise<StoredSubmission | undefined> {
    const guardKey = { pk: formKeys.guardPk(formId, submissionId), sk: formKeys.guardSk };
    const guard = await this.item(guardKey);
    if (!guard) return undefined;
    const sk =
      typeof guard.submissionSk === 'string'
        ? guard.submissionSk
        : typeof guard.submittedAt === 'string'
          ? formKeys.submissionSk(guard.submittedAt, submissionId)
          : undefined;
    const ref = sk ? { pk: typeof guard.submissionPk === 'string' ? guard.submissionPk : formKeys.submissionPk(formId), sk } : undefined;
    const stored = ref ? await this.item(ref) : undefined;
    if (stored && ref) return asSubmission(stored, ref);
    // The guard holds the submission itself.
    return Array.isArray(guard.consents) || typeof guard.values === 'object' ? asSubmission(guard, guardKey) : undefined;
  }

  /** Sets `handedOffAt` once. */
  async markHandedOff(ref: StoredSubmission['ref'], at: string): Promise<void> {
    await this.once(ref, 'SET handedOffAt = :at', 'attribute_exists(pk) AND attribute_not_exists(handedOffAt)', { ':at': at });
  }

  /**
   * Marks the double opt-in confirmed at `at` from `networkPrefix`, once: answers the first confirmation's
   * time and network, whatever came later (undefined when the submission is gone).
   */
  async confirm(ref: StoredSubmission['ref'], at: string, networkPrefix?: string): Promise<{ at: string; networkPrefix?: string } | undefined> {
    const changed = await this.once(
      ref,
      `SET doubleOptIn = :c, confirmedAt = :at${networkPrefix ? ', confirmNetworkPrefix = :n' : ''}`,
      'attribute_exists(pk) AND (attribute_not_exists(doubleOptIn) OR doubleOptIn <> :c)',
      { ':c': 'confirmed', ':at': at, ...(networkPrefix ? { ':n': networkPrefix } : {}) },
    );
    if (changed) return { at, ...(networkPrefix ? { networkPrefix } : {}) };
    const item = await this.item(ref);
    if (typeof item?.confirmedAt !== 'string') return undefined;
    return { at: item.confirmedAt, ...(typeof item.confirmNetworkPrefix === 'string' ? { networkPrefix: item.confirmNetworkPrefix } : {}) };
  }

  private async item(key: { pk: string; sk: string }): Promise<Item | undefined> {
    return (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private async once(key: { pk: string; sk: string }, update: string, condition: string, values: Item): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

function asSubmission(item: Item, ref: { pk: string; sk: string }): StoredSubmission {
  const { pk: _pk, sk: _sk, submissionPk: _p, submissionSk: _s, ...rest } = item;
  const sub = rest as unknown as Submission & { handedOffAt?: string };
  return { ...sub, values: sub.values ?? {}, consents: sub.consents ?? [], locale: sub.locale === 'en' ? 'en' : 'ja', ref };
}
