/**
 * Imports validated CRM contact rows (`nurture crm import`): the lead by email (created with its identity
 * link when new, as collect does), one identify per row on the events stream with its traits and trusted
 * stage floor, and one ledger item per row. The stream processor applies the events like any other.
 */
import { existingKeys } from '../../shared/aws/existing-keys.js';
import { mapLimit } from '../../shared/map-limit.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { identify, type LinkStore } from '../../identity/domain/identify.js';
import { type IdentityKey, keyString } from '../../identity/domain/keys.js';
import type { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import type { ContactRow } from '../domain/contacts-csv.js';
import { contactImportEffects, contactRowHash } from '../domain/contacts-import.js';
import { inboundEvents } from '../domain/receive.js';

export interface ContactImportResult {
  imported: number;
  /** Rows the ledger holds from an earlier import of the same content. */
  skippedAsImported: number;
  /** Imported rows whose email had no lead before (created now). */
  newLeads: number;
  /** Imported rows whose email already had a lead. */
  existingLeads: number;
}

export interface ContactImportOptions {
  /** Called after each chunk with the rows done so far (the CLI's progress bar). */
  onProgress?(done: number, total: number): void;
}

/** Rows handled together: their events go out in PutRecords calls of up to 500 records. */
const rowsPerChunk = 100;
/** Rows identified at once within a chunk (each is two BatchGetItems and at most one PutItem). */
const identifyConcurrency = 25;

export const ledgerPk = (hash: string) => `crmimp#${hash}`;
export const ledgerSk = 'row';


/**
 * The importer. Idempotency, in layers (as the offline importer's): a row whose ledger item exists is
 * skipped before anything is written; a row interrupted after its event went out (no ledger item yet) is
 * sent again with the same messageId (the processor skips it as a duplicate); the ledger item is written
 * last, conditionally.
 */
export class ContactsImporter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly links: LinkStore,
    private readonly sink: KinesisSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async import(rows: readonly ContactRow[], opts: ContactImportOptions = {}): Promise<ContactImportResult> {
    const hashes = new Map(rows.map((r) => [r, contactRowHash(r)]));
    const done = await this.ledgered([...new Set(hashes.values())]);
    const todo = rows.filter((r) => !done.has(hashes.get(r)!));
    const result: ContactImportResult = { imported: 0, skippedAsImported: rows.length - todo.length, newLeads: 0, existingLeads: 0 };
    opts.onProgress?.(rows.length - todo.length, rows.length);
    for (let i = 0; i < todo.length; i += rowsPerChunk) {
      const chunk = todo.slice(i, i + rowsPerChunk);
      const at = this.now();
      const leads = await mapLimit(chunk, identifyConcurrency, (r) => this.leadOf(r, at.toISOString()));
      await this.sink.put(chunk.flatMap((r, j) => inboundEvents(contactImportEffects(r, at), leads[j]!.profileId, at)));
      await mapLimit(chunk, identifyConcurrency, async (r, j) => {
        if (!(await this.ledger(hashes.get(r)!, r, leads[j]!.profileId))) {
          result.skippedAsImported++; // Another import of the same row got there first.
          return;
        }
        result.imported++;
        if (leads[j]!.isNew) result.newLeads++;
        else result.existingLeads++;
      });
      opts.onProgress?.(rows.length - todo.length + i + chunk.length, rows.length);
    }
    return result;
  }

  /** The row's lead, created when its email has none yet (isNew: no email link before). */
  private async leadOf(row: ContactRow, at: string): Promise<{ profileId: string; isNew: boolean }> {
    const key: IdentityKey = { kind: 'email', value: row.email };
    const isNew = !(await this.links.get([key])).has(keyString(key));
    const res = await identify({ email: row.email, at }, this.links);
    // The row's email was validated with the same normalization: identify always answers.
    if (!res) throw new Error(`identify gave no profile for line ${row.line}`);
    return { profileId: res.profileId, isNew };
  }

  /** Hashes of rows already imported. */
  private async ledgered(hashes: readonly string[]): Promise<Set<string>> {
    const found = await existingKeys(this.doc, this.tableName, hashes.map((k) => ({ pk: ledgerPk(k), sk: ledgerSk })));
    return new Set([...found].map((pk) => pk.slice(ledgerPk('').length)));
  }


  /** Marks the row imported; false when it already was (a concurrent import of the same row). */
  private async ledger(hash: string, row: ContactRow, profileId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: ledgerPk(hash), sk: ledgerSk, email: row.email, profileId, importedAt: this.now().toISOString() },
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
