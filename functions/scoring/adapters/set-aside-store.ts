/**
 * Events set aside by the stream processor (scoring/domain/set-aside.ts), one item each beside the
 * person's profile: `p#<profileId>` / `poison#<receivedAt>#<messageId>`, so erasing a person's items
 * erases them too and a retried batch overwrites its own record. A sparse entry in the `byScore` index
 * (`gsi1pk = poison`, `gsi1sk` = time set aside) lists them all, newest first, without a scan.
 */
import { BatchGetCommand, type BatchGetCommandOutput, DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { profilePk } from '../../profiles/domain/profile.js';
import { mainTable } from '../../shared/resources.js';
import type { SetAsideEvent } from '../domain/set-aside.js';

/**
 * Index partition of every set-aside event. One partition takes about 1,000 writes a second; events set
 * aside are rare, and a flood beyond that is throttled, which fails the batch item and retries it (nothing
 * is lost).
 */
export const setAsideIndexPk = 'poison';
/** Sort keys of set-aside records begin with this (beside `profile`, `a#` archive items, wait tokens). */
export const setAsidePrefix = 'poison#';

export const setAsideSk = (r: Pick<SetAsideEvent, 'receivedAt' | 'messageId'>) => `${setAsidePrefix}${r.receivedAt}#${r.messageId}`;

const fields = ['profileId', 'messageId', 'shard', 'seq', 'timestamp', 'receivedAt', 'event', 'eventBytes', 'error', 'setAsideAt', 'expiresAt'] as const;

function fromItem(item: Record<string, unknown>): SetAsideEvent {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as SetAsideEvent;
}

export class SetAsideStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores (or, for the same event set aside again, replaces) a record. */
  async put(record: SetAsideEvent): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...record,
          pk: profilePk(record.profileId),
          sk: setAsideSk(record),
          gsi1pk: setAsideIndexPk,
          gsi1sk: Date.parse(record.setAsideAt),
        },
      }),
    );
  }

  /** Up to `limit` records, newest first (expired ones skipped: dynalite has no TTL and AWS deletes late). */
  async list(limit: number): Promise<SetAsideEvent[]> {
    const keys: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: mainTable.indexes[0]!.name,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': setAsideIndexPk },
          ScanIndexForward: false,
          Limit: limit - keys.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) keys.push({ pk: item.pk, sk: item.sk });
      start = res.LastEvaluatedKey;
    } while (start && keys.length < limit);
    const items = new Map<string, SetAsideEvent>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
      for (let round = 0; pending && pending.length > 0 && round < 8; round++) {
        const res: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
        for (const item of res.Responses?.[this.tableName] ?? []) items.set(`${item.pk}|${item.sk}`, fromItem(item));
        pending = res.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    const nowSeconds = this.now().getTime() / 1000;
    return keys.flatMap((k) => {
      const r = items.get(`${k.pk}|${k.sk}`);
      return r && !(r.expiresAt <= nowSeconds) ? [r] : [];
    });
  }

  /**
   * Puts each record's event back on the events stream through `put` (the ingest sink: same data, same
   * partition key, so the person's order holds) and then removes the record. The processor recognizes
   * events a profile already applied by messageId, so replaying twice counts nothing twice; an event that
   * still cannot be applied is set aside again. Records that do not hold their event are left as they are.
   */
  async replay(records: SetAsideEvent[], put: (events: CollectedEvent[]) => Promise<void>): Promise<{ replayed: SetAsideEvent[]; kept: SetAsideEvent[] }> {
    const replayed: SetAsideEvent[] = [];
    const kept: SetAsideEvent[] = [];
    for (const r of records) {
      if (!r.event) {
        kept.push(r);
        continue;
      }
      await put([JSON.parse(r.event) as CollectedEvent]);
      await this.delete(r);
      replayed.push(r);
    }
    return { replayed, kept };
  }

  /** Removes a record (after its event went back on the stream). */
  async delete(record: Pick<SetAsideEvent, 'profileId' | 'receivedAt' | 'messageId'>): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: profilePk(record.profileId), sk: setAsideSk(record) } }));
  }
}
