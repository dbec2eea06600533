/**
 * Imports validated offline rows: identity links (as collect does, synchronously), the rows' events on the
 * events stream, consent on the profile item and one ledger item per row. Used by the admin route and by
 * the CLI alike.
 */
import { existingKeys } from '../../shared/aws/existing-keys.js';
import { mapLimit } from '../../shared/map-limit.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { identify, type LinkStore } from '../../identity/domain/identify.js';
import type { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import { maxMergeHops } from '../../profiles/domain/merge-chain.js';
import { type Consent, profilePk, profileSk } from '../../profiles/domain/profile.js';
import { distinctRows, offlineConsent, offlineEvents, type OfflineRow } from '../domain/offline.js';

export interface OfflineImportResult {
  imported: number;
  /** Rows imported before (the ledger holds them) or repeated within the file. */
  skippedAsDuplicates: number;
  /** Distinct profiles the imported rows belong to. */
  profiles: number;
}

export interface OfflineImportOptions {
  /** Where the rows came from (a file name), kept on the events' properties. */
  importedFrom?: string;
  /** Called after each chunk with the rows done so far (the CLI's progress bar). */
  onProgress?(done: number, total: number): void;
}

/** Rows handled together: their events go out in PutRecords calls of up to 500 records. */
const rowsPerChunk = 100;
/** Rows identified at once within a chunk (each is one BatchGetItem and at most one PutItem). */
const identifyConcurrency = 25;

export const ledgerPk = (key: string) => `offline#${key}`;
export const ledgerSk = 'offline';


/**
 * The importer. Idempotency, in layers: a row whose ledger item exists is skipped before anything is
 * written; a row interrupted after its events went out (no ledger item yet) is imported again with the
 * same messageIds (the processor skips them as duplicates) and the same consent time (the condition on
 * `consent.at` leaves it); the ledger item is written last, conditionally.
 */
export class OfflineImporter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly links: LinkStore,
    private readonly sink: KinesisSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async import(rows: readonly OfflineRow[], opts: OfflineImportOptions = {}): Promise<OfflineImportResult> {
    const { first, repeated } = distinctRows(rows);
    const done = await this.ledgered(first.map((r) => r.key));
    const todo = first.filter((r) => !done.has(r.key));
    let skipped = repeated + (first.length - todo.length);
    let imported = 0;
    const profiles = new Set<string>();
    opts.onProgress?.(rows.length - todo.length, rows.length);
    for (let i = 0; i < todo.length; i += rowsPerChunk) {
      const chunk = todo.slice(i, i + rowsPerChunk);
      const ids = await mapLimit(chunk, identifyConcurrency, (r) => this.profileOf(r));
      const receivedAt = this.now();
      await this.sink.put(chunk.flatMap((r, j) => offlineEvents(r, ids[j]!, receivedAt, opts.importedFrom)));
      await mapLimit(chunk, identifyConcurrency, async (r) => {
        const j = chunk.indexOf(r);
        await this.recordConsent(ids[j]!, offlineConsent(r));
        if (await this.ledger(r, ids[j]!)) {
          imported++;
          profiles.add(ids[j]!);
        } else skipped++; // Another import of the same row got there first.
      });
      opts.onProgress?.(rows.length - todo.length + i + chunk.length, rows.length);
    }
    return { imported, skippedAsDuplicates: skipped, profiles: profiles.size };
  }

  private async profileOf(row: OfflineRow): Promise<string> {
    const res = await identify({ email: row.email, at: row.at }, this.links);
    // The row's email was validated with the same normalization: identify always answers.
    if (!res) throw new Error(`identify gave no profile for line ${row.line}`);
    return res.profileId;
  }

  /** Keys of rows already imported. */
  private async ledgered(keys: readonly string[]): Promise<Set<string>> {
    const found = await existingKeys(this.doc, this.tableName, keys.map((k) => ({ pk: ledgerPk(k), sk: ledgerSk })));
    return new Set([...found].map((pk) => pk.slice('offline#'.length)));
  }


  /**
   * Consent as the row states it, unless a decision at least as recent is stored (an unsubscribe after
   * the seminar stays). Writes `consent` only, with SET, so it works whether or not the processor has
   * created the profile item yet: the processor's own update (profiles/adapters/profile-store.ts) never
   * writes `consent`, and its first write (condition `attribute_not_exists(v)`) succeeds on an item that
   * holds nothing else. Same shape and attribute as sending's setConsent. A merged profile's tombstone is
   * never written: the consent goes to the survivor (at most maxMergeHops away).
   */
  private async recordConsent(profileId: string, consent: Consent): Promise<void> {
    let id = profileId;
    for (let hop = 0; hop <= maxMergeHops; hop++) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: profilePk(id), sk: profileSk },
            UpdateExpression: 'SET #consent = :consent',
            ConditionExpression: 'attribute_not_exists(#merged) AND (attribute_not_exists(#consent) OR #consent.#at < :at)',
            ExpressionAttributeNames: { '#consent': 'consent', '#at': 'at', '#merged': 'mergedInto' },
            ExpressionAttributeValues: { ':consent': consent, ':at': consent.at },
          }),
        );
        return;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
      const res = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(id), sk: profileSk }, ProjectionExpression: 'mergedInto', ConsistentRead: true }),
      );
      const survivor = res.Item?.mergedInto as string | undefined;
      if (!survivor || survivor === id) return; // A decision at least as recent stands.
      id = survivor;
    }
  }

  /** Marks the row imported; false when it already was (a concurrent import of the same row). */
  private async ledger(row: OfflineRow, profileId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: ledgerPk(row.key),
            sk: ledgerSk,
            channel: row.channel,
            campaign: row.campaign,
            date: row.date,
            profileId,
            importedAt: this.now().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
