/**
 * Profile items read in bulk for segments: members' summaries (BatchGetItem with a projection, never the
 * whole item) and the walk of the ranking index a preview evaluates (domain/preview.ts).
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { profilePk, profileSk, rankPartitionOf, rankShards, stages } from '../../profiles/domain/profile.js';
import { mainTable } from '../../shared/resources.js';
import type { ProfileBatchReader, RankedWalk } from '../domain/preview.js';

/** Keys one BatchGetItem reads (DynamoDB's limit). */
const batchKeys = 100;
/** BatchGetItem calls in flight at once. */
const batchConcurrency = 4;
/** Rounds of retries of unprocessed keys (throttling) before giving up. */
const batchGetRounds = 8;
/** Ranking index partitions walked at once by a preview. */
const walkConcurrency = 4;

/** A projection of (possibly nested: `score.value`) attributes with their placeholders. */
function projection(attrs: readonly string[]) {
  const names: Record<string, string> = {};
  const index = new Map<string, string>();
  const unique = [...new Set(attrs)];
  // A nested path under an attribute read whole would overlap it (DynamoDB refuses overlapping paths).
  const kept = unique.filter((a) => !a.includes('.') || !unique.includes(a.split('.')[0]!));
  const expr = kept
    .map((a) =>
      a
        .split('.')
        .map((part) => {
          let ph = index.get(part);
          if (!ph) {
            ph = `#a${index.size}`;
            index.set(part, ph);
            names[ph] = part;
          }
          return ph;
        })
        .join('.'),
    )
    .join(', ');
  return { ProjectionExpression: expr, ExpressionAttributeNames: names };
}

/** Runs `work` over `items` with at most `n` in flight. */
async function inParallel<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export class DynamoProfileBatch implements ProfileBatchReader, RankedWalk {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Profile items by id with only `attrs` (ids without an item are absent from the map). */
  async read(profileIds: readonly string[], attrs: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    const unique = [...new Set(profileIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += batchKeys) chunks.push(unique.slice(i, i + batchKeys));
    const proj = projection(['profileId', ...attrs]);
    await inParallel(chunks, batchConcurrency, async (ids) => {
      let request: BatchGetCommandOutput['UnprocessedKeys'] = { [this.tableName]: { Keys: ids.map((id) => ({ pk: profilePk(id), sk: profileSk })), ...proj } };
      for (let round = 0; request && round < batchGetRounds; round++) {
        const res: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.tableName] ?? []) out.set(String(item.profileId), item);
        request = res.UnprocessedKeys?.[this.tableName]?.Keys?.length ? res.UnprocessedKeys : undefined;
      }
      if (request) throw new Error(`profile batch read left unprocessed keys after ${batchGetRounds} rounds`);
    });
    return out;
  }

  /**
   * Walks every ranking index partition (every stage × rankShards), best first, reading the profile items
   * of each page with `attrs` and handing them to `visit`, until `budget` profiles were read or `maxMillis`
   * passed. `complete`: every partition was read to its end.
   */
  async walk(budget: number, attrs: readonly string[], visit: (items: Record<string, unknown>[]) => void, maxMillis = Infinity): Promise<{ read: number; complete: boolean }> {
    const until = Date.now() + maxMillis;
    const partitions = stages.flatMap((stage) => Array.from({ length: rankShards }, (_, shard) => rankPartitionOf(stage, shard)));
    let left = budget;
    let complete = true;
    // Reservations in flight and those waiting for one to return its unused part.
    let inFlight = 0;
    let waiters: (() => void)[] = [];
    const settle = () => {
      inFlight--;
      const w = waiters;
      waiters = [];
      for (const wake of w) wake();
    };
    await inParallel(partitions, walkConcurrency, async (partition) => {
      let start: Record<string, unknown> | undefined;
      do {
        while (left <= 0 && inFlight > 0) await new Promise<void>((wake) => waiters.push(wake));
        if (left <= 0 || Date.now() > until) {
          complete = false;
          return;
        }
        // Reserved before the query, so partitions read at once never read more than the budget together.
        const want = Math.min(batchKeys, left);
        left -= want;
        inFlight++;
        let ids: string[] = [];
        try {
          const res = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: mainTable.indexes[0]!.name,
              KeyConditionExpression: 'gsi1pk = :pk',
              ExpressionAttributeValues: { ':pk': partition },
              ProjectionExpression: 'profileId',
              ScanIndexForward: false,
              Limit: want,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          ids = (res.Items ?? []).map((i) => String(i.profileId));
          start = res.LastEvaluatedKey;
        } finally {
          // The unused part goes back (all of it when the query failed), waking partitions waiting for budget.
          left += want - ids.length;
          settle();
        }
        if (ids.length > 0) {
          const items = await this.read(ids, attrs);
          visit(ids.flatMap((id) => (items.has(id) ? [items.get(id)!] : [])));
        }
      } while (start);
    });
    return { read: budget - left, complete };
  }
}
