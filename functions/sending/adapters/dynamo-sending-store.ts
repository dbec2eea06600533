import { ConditionalCheckFailedException, DynamoDBServiceException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { broadcastPk, type FeedbackKind, feedbackShardOf, feedbackSk } from '../../broadcasts/domain/model.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ProfileReader, strip } from '../../profiles/adapters/profile-reader.js';
import { type Consent, type Profile, profilePk, profileSk } from '../../profiles/domain/profile.js';
import { MergeChainTooLongError } from '../../profiles/errors.js';
import { type CapsItem, type Claim, type Counter, claimAttr } from '../domain/caps.js';
import type { SendTimes } from '../domain/machine.js';
import type { RecipientState, SendRecord, Suppression } from '../domain/model.js';
import type { SendStore } from '../domain/send.js';
import { InvalidCursorError } from '../errors.js';
import { segmentsDuePartition } from '../../segments/domain/membership.js';

/*
 * Sending's items in the main table:
 * - send counter:  `p#<profileId>` / `caps`            → window counters and claims (see domain/caps.ts)
 * - send record:   `p#<profileId>` / `send#<sendId>`   → SendRecord (the profile's mail history), and
 *                  `honeypotAt` once a link scanner followed the mail's honeypot link (domain/machine.ts)
 * - suppression:   `sup#email#<email>` / `sup`         → Suppression; listed through the byScore index
 *                  (gsi1pk `suppressed`, gsi1sk = epoch ms) so the operator's list needs no scan.
 * On the profile item sending writes only `consent` and `subscriptions`, with UpdateItem SET; a consent
 * change also makes the person due for the segments sweep (`segmentsDue`, `gsi3pk`), so segments that read
 * consent follow it without waiting for the person's next event.
 */

export const capsSk = 'caps';
export const sendSk = (sendId: string) => `send#${sendId}`;
export const suppressionPk = (email: string) => `sup#email#${email}`;
export const suppressionSk = 'sup';
/** Partition of the byScore index that lists suppressions, newest first. */
export const suppressionIndexPk = 'suppressed';

function isConditionFailure(err: unknown): err is ConditionalCheckFailedException {
  return err instanceof ConditionalCheckFailedException;
}

/** Sending's reads and writes: single-item operations only (dynalite has no transactions, and they cost double). */
export class DynamoSendingStore implements SendStore {
  /** Profiles are read through their owner's reader, strongly consistent: sending acts on what it reads. */
  private readonly profiles: ProfileReader;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.profiles = new ProfileReader(doc, tableName, true);
  }

  async recipient(profileId: string, sendId: string): Promise<RecipientState> {
    // The profile, its send counter and this send's record, hop by hop along merges in one request each.
    const { profileId: id, profile, hops } = await this.profiles.resolveWith(profileId, [capsSk, sendSk(sendId)]);
    const recordItem = hops.map((h) => h.items.get(sendSk(sendId))).find((item) => item !== undefined);
    const caps = strip<CapsItem>(hops.at(-1)?.items.get(capsSk) ?? {});
    return { profileId: id, caps, ...(profile ? { profile } : {}), ...(recordItem ? { record: strip<SendRecord>(recordItem) } : {}) };
  }

  /** The profile a (possibly merged) id resolves to, with its id. */
  async resolveProfile(profileId: string): Promise<{ profileId: string; profile: Profile } | undefined> {
    try {
      const profile = await this.profiles.resolve(profileId);
      return profile && { profileId: profile.profileId, profile };
    } catch (err) {
      if (err instanceof MergeChainTooLongError) return undefined;
      throw err;
    }
  }

  async suppression(email: string): Promise<Suppression | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: suppressionPk(email), sk: suppressionSk }, ConsistentRead: true }),
    );
    return res.Item ? strip<Suppression>(res.Item) : undefined;
  }

  async reserve(
    profileId: string,
    r: { sendId: string; claim: Claim; counters: Counter[]; stale: string[] },
  ): Promise<CapsItem | undefined> {
    const names: Record<string, string> = { '#k': claimAttr(r.sendId) };
    const values: Record<string, unknown> = { ':one': 1, ':claim': r.claim };
    const conditions = ['attribute_not_exists(#k)'];
    const adds: string[] = [];
    r.counters.forEach((c, i) => {
      names[`#c${i}`] = c.attr;
      adds.push(`#c${i} :one`);
      if (c.limit !== undefined) {
        values[`:l${i}`] = c.limit;
        conditions.push(`(attribute_not_exists(#c${i}) OR #c${i} < :l${i})`);
      }
    });
    r.stale.forEach((attr, i) => {
      names[`#r${i}`] = attr;
    });
    const remove = r.stale.length > 0 ? ` REMOVE ${r.stale.map((_, i) => `#r${i}`).join(', ')}` : '';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(profileId), sk: capsSk },
          UpdateExpression: `SET #k = :claim ADD ${adds.join(', ')}${remove}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // AWS returns the item that failed the condition; an emulator without that feature needs a read.
      const item = (err as ConditionalCheckFailedException).Item;
      return item ? strip<CapsItem>(unmarshall(item)) : this.capsItem(profileId);
    }
  }

  async release(profileId: string, sendId: string, claim: Claim): Promise<void> {
    const names: Record<string, string> = { '#k': claimAttr(sendId) };
    claim.counters.forEach((attr, i) => {
      names[`#c${i}`] = attr;
    });
    const adds = claim.counters.map((_, i) => `#c${i} :minus`).join(', ');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(profileId), sk: capsSk },
          UpdateExpression: `REMOVE #k${adds ? ` ADD ${adds}` : ''}`,
          ConditionExpression: 'attribute_exists(#k)',
          ExpressionAttributeNames: names,
          ...(adds ? { ExpressionAttributeValues: { ':minus': -1 } } : {}),
        }),
      );
    } catch (err) {
      // Released already (a retry of the release itself): nothing left to give back.
      if (!isConditionFailure(err)) throw err;
    }
  }

  async record(r: SendRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: profilePk(r.profileId), sk: sendSk(r.sendId), ...r } }));
  }

  async getRecord(profileId: string, sendId: string): Promise<SendRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(profileId), sk: sendSk(sendId) }, ConsistentRead: true }),
    );
    return res.Item ? strip<SendRecord>(res.Item) : undefined;
  }

  /** A send's time and last honeypot hit (strongly consistent: a hit a moment ago must be seen). */
  async sendTimes(profileId: string, sendId: string): Promise<SendTimes | undefined> {
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: profilePk(profileId), sk: sendSk(sendId) },
        ProjectionExpression: 'sentAt, honeypotAt',
        ConsistentRead: true,
      }),
    );
    return res.Item ? strip<SendTimes>(res.Item) : undefined;
  }

  /**
   * Counts a broadcast mail's feedback exactly once: one transaction sets `<kind>At` on the send record
   * only if it exists without it, and adds 1 to the broadcast's feedback counter. A repeat (a second open,
   * a replayed event) fails the condition and counts nothing. 4 write units, on the first time only.
   */
  async markBroadcastFeedback(profileId: string, sendId: string, broadcastId: string, kind: FeedbackKind, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: profilePk(profileId), sk: sendSk(sendId) },
                UpdateExpression: 'SET #at = :at',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#at) AND broadcastId = :b',
                ExpressionAttributeNames: { '#at': `${kind}At` },
                ExpressionAttributeValues: { ':at': at.toISOString(), ':b': broadcastId },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: broadcastPk(broadcastId), sk: feedbackSk(feedbackShardOf(sendId)) },
                UpdateExpression: 'ADD #k :one',
                ExpressionAttributeNames: { '#k': kind },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw err;
    }
  }

  /** Sets `honeypotAt` on an existing send record; an unknown send is left alone. */
  async markHoneypot(profileId: string, sendId: string, at: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(profileId), sk: sendSk(sendId) },
          UpdateExpression: 'SET honeypotAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async capsItem(profileId: string): Promise<CapsItem> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(profileId), sk: capsSk }, ConsistentRead: true }),
    );
    return strip<CapsItem>(res.Item ?? {});
  }

  /**
   * Records consent on an existing profile (never creates one). Replays leave the first decision's time:
   * setting the status it already has is a no-op.
   */
  async setConsent(profileId: string, consent: Consent): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(profileId), sk: profileSk },
          // Segments read consent: the person is due for the segments sweep now (within a minute on AWS).
          UpdateExpression: 'SET #consent = :consent, segmentsDue = :now, gsi3pk = :due',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#consent) OR #consent.#status <> :status)',
          ExpressionAttributeNames: { '#consent': 'consent', '#status': 'status' },
          ExpressionAttributeValues: { ':consent': consent, ':status': consent.status, ':now': consent.at, ':due': segmentsDuePartition(profileId) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Sets one topic's subscription on an existing profile (the map is created on first use). */
  async setTopic(profileId: string, topic: string, subscribed: boolean): Promise<void> {
    const key = { pk: profilePk(profileId), sk: profileSk };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #subs.#topic = :v',
            ConditionExpression: 'attribute_exists(pk) AND attribute_exists(#subs)',
            ExpressionAttributeNames: { '#subs': 'subscriptions', '#topic': topic },
            ExpressionAttributeValues: { ':v': subscribed },
          }),
        );
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #subs = :map',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#subs)',
            ExpressionAttributeNames: { '#subs': 'subscriptions' },
            ExpressionAttributeValues: { ':map': { [topic]: subscribed } },
          }),
        );
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // Either the profile is gone or another writer created the map meanwhile: the next round tells.
        const exists = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
        if (!exists.Item) return;
      }
    }
  }

  /** Suppresses an address; the first cause is kept (a replayed or repeated event changes nothing). */
  async suppress(s: Suppression): Promise<boolean> {
    const at = Date.parse(s.at);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: suppressionPk(s.email), sk: suppressionSk, gsi1pk: suppressionIndexPk, gsi1sk: at, ...s },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Lifts a suppression; false when there was none. */
  async lift(email: string): Promise<Suppression | undefined> {
    const res = await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: suppressionPk(email), sk: suppressionSk }, ReturnValues: 'ALL_OLD' }),
    );
    return res.Attributes ? strip<Suppression>(res.Attributes) : undefined;
  }

  /** Suppressions, newest first, `limit` a page; `cursor` continues where the last page stopped. */
  /** A page of suppressions, newest first; InvalidCursorError when `cursor` is not one this list handed out. */
  async listSuppressions(limit: number, cursor?: string): Promise<{ items: Suppression[]; cursor?: string }> {
    let res;
    try {
      res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byScore',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': suppressionIndexPk },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: startKeyOf(cursor) } : {}),
        }),
      );
    } catch (err) {
      // DynamoDB refuses a start key that does not fit the index as a client fault (ValidationException).
      if (cursor && err instanceof DynamoDBServiceException && err.$fault === 'client') throw new InvalidCursorError('not a cursor from this list', { cause: err });
      throw err;
    }
    return {
      items: (res.Items ?? []).map((i) => strip<Suppression>(i)),
      ...(res.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(res.LastEvaluatedKey)).toString('base64url') } : {}),
    };
  }
}

function startKeyOf(cursor: string): Record<string, unknown> {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new InvalidCursorError('not a cursor from this list');
}
