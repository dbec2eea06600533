import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { maxMergeHops } from '../../profiles/domain/merge-chain.js';
import { type Consent, profilePk, profileSk } from '../../profiles/domain/profile.js';
import { segmentsDuePartition } from '../../segments/domain/membership.js';
import type { ConsentPurpose } from '../domain/definition.js';
import { type ConsentRecord, formKeys } from '../domain/model.js';

/** The profile attribute each purpose decides: `consent` is what sending reads, `adConsent` what ad exports read. */
const attributeOf: Record<ConsentPurpose, 'consent' | 'adConsent' | undefined> = { email: 'consent', advertising: 'adConsent', terms: undefined };

/** Largest page of a person's consent ledger. */
export const maxConsentPage = 100;

/**
 * Consent as forms record it: the decision on the profile item (`consent` / `adConsent`, the same shape
 * as sending's and the offline importer's), and every decision in the ledger on the person's partition.
 *
 * The decision is written with SET alone, so it works before the stream processor has created the
 * profile item (its first write, condition `attribute_not_exists(v)`, succeeds on an item holding only
 * consent), and never over a decision at least as recent. On an item the processor has created, the
 * person is marked due for the segments sweep (segments read consent); on one it has not, the processor's
 * first evaluation reads the consent anyway. A merged profile's tombstone is never written: the decision
 * goes to the survivor.
 */
export class DynamoConsentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records a granted or revoked decision on the profile; false when a decision at least as recent stands. */
  async decide(profileId: string, purpose: ConsentPurpose, consent: Consent): Promise<boolean> {
    const attribute = attributeOf[purpose];
    if (!attribute) return false;
    let id = profileId;
    for (let hop = 0; hop <= maxMergeHops; hop++) {
      const key = { pk: profilePk(id), sk: profileSk };
      const newer = '(attribute_not_exists(#c) OR #c.#at < :at)';
      const names = { '#c': attribute, '#at': 'at', '#merged': 'mergedInto' };
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #c = :c, segmentsDue = :at, gsi3pk = :due',
            ConditionExpression: `attribute_exists(v) AND attribute_not_exists(#merged) AND ${newer}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':c': consent, ':at': consent.at, ':due': segmentsDuePartition(id) },
          }),
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
      const res = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'v, mergedInto, #c', ExpressionAttributeNames: { '#c': attribute }, ConsistentRead: true }),
      );
      const item = res.Item;
      const survivor = item?.mergedInto as string | undefined;
      if (survivor && survivor !== id) {
        id = survivor;
        continue;
      }
      if (item?.v !== undefined) return false; // The processor's item holds a decision at least as recent.
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #c = :c',
            ConditionExpression: `attribute_not_exists(v) AND attribute_not_exists(#merged) AND ${newer}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':c': consent, ':at': consent.at },
          }),
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // The processor created the item meanwhile (or a newer decision landed): decide again on it.
      }
    }
    return false;
  }

  /** Appends a record to the ledger. Idempotent: the same decision (time, purpose, consent id) is one item. */
  async append(record: ConsentRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: profilePk(record.profileId), sk: formKeys.consentSk(record.at, record.purpose, record.consentId), ...record },
      }),
    );
  }

  /** A person's ledger, newest first. */
  async list(profileId: string, limit = maxConsentPage): Promise<ConsentRecord[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': profilePk(profileId), ':prefix': formKeys.consentPrefix },
        ScanIndexForward: false,
        Limit: Math.min(limit, maxConsentPage),
      }),
    );
    return (res.Items ?? []).map(({ pk: _pk, sk: _sk, ...rest }) => rest as ConsentRecord);
  }
}
