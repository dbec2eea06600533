/**
 * Serving's reads of the main table: TopLists and products by BatchGetItem, a person by their identity
 * links and profile item (GetItem with a projection: PII is never loaded), public segments by Query
 * (cached). Read-only: GetItem, BatchGetItem and Query are all the recommend function's role allows.
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { anonymousProfileId, type IdentityKey, keyString } from '../../identity/domain/keys.js';
import { followMerges } from '../../profiles/domain/merge-chain.js';
import { profilePk, profileSk } from '../../profiles/domain/profile.js';
import { type Product, productKey, type TopList } from '../domain/model.js';
import type { PersonView } from '../domain/personalize.js';
import type { ServingReads } from '../serving.js';

/** Keys one BatchGetItem takes (a DynamoDB limit). */
const batchGetKeys = 100;
/** Rounds of retrying unprocessed keys (throttling) before giving up. */
const batchGetRounds = 8;
/** How long the list of public segment ids is reused before it is read again (ms). */
export const publicSegmentsCacheMs = 60_000;
/**
 * The partition of segment definitions (segments/adapters/definition-store.ts `segmentPartition`; the
 * integration test stores definitions through that store). Read here without the store, whose document
 * schema would put full zod and yaml into this public function's cold start.
 */
const segmentPartition = 'segdefs';

type Key = { pk: string; sk: string };

/** The profile attributes serving may read: no email, name, traits or score value. */
const projection = {
  ProjectionExpression: '#known, #stage, #recent, #segments, #score.#categories, #mergedInto',
  ExpressionAttributeNames: {
    '#known': 'known',
    '#stage': 'stage',
    '#recent': 'recent',
    '#segments': 'segments',
    '#score': 'score',
    '#categories': 'categories',
    '#mergedInto': 'mergedInto',
  },
};

export class DynamoServingStore implements ServingReads {
  private readonly links: DynamoLinkStore;
  private cached?: { at: number; ids: ReadonlySet<string> };

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {
    // Eventually consistent: serving acts on nothing it reads, and a link a second old is good enough.
    this.links = new DynamoLinkStore(doc, tableName, false);
  }

  async read(ask: { lists?: readonly Key[]; products?: readonly string[] }): Promise<{ lists: Map<string, TopList>; products: Map<string, Product> }> {
    const lists = new Map<string, TopList>();
    const products = new Map<string, Product>();
    const keys = [...(ask.lists ?? []), ...[...new Set(ask.products ?? [])].map(productKey)];
    for (const item of await this.batchGet(keys)) {
      const { pk, sk, ...rest } = item;
      if (sk === 'product') {
        if (typeof rest.productId === 'string' && typeof rest.name === 'string') products.set(rest.productId, rest as unknown as Product);
      } else if (Array.isArray(rest.items)) {
        lists.set(String(pk), { items: rest.items as TopList['items'], builtAt: String(rest.builtAt ?? ''), window: rest.window as TopList['window'] });
      }
    }
    return { lists, products };
  }

  async person(who: { anonymousId?: string; userId?: string }): Promise<PersonView | undefined> {
    const keys: IdentityKey[] = [];
    if (who.userId) keys.push({ kind: 'user', value: who.userId });
    if (who.anonymousId) keys.push({ kind: 'anon', value: who.anonymousId });
    if (keys.length === 0) return undefined;
    const links = await this.links.get(keys);
    const linked = keys.map((k) => links.get(keyString(k))?.profileId).find(Boolean);
    const profileId = linked ?? (who.anonymousId ? anonymousProfileId(who.anonymousId) : undefined);
    if (!profileId) return undefined;
    const found = await followMerges(profileId, async (id) => {
      const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(id), sk: profileSk }, ...projection }));
      return res.Item as { mergedInto?: string } | undefined;
    });
    if (!found) return undefined;
    const item = found.item as Record<string, unknown>;
    return {
      profileId: found.profileId,
      known: item.known === true,
      stage: (item.stage as PersonView['stage']) ?? 'anonymous',
      categories: ((item.score as { categories?: Record<string, number> } | undefined)?.categories ?? {}),
      segments: (item.segments as Record<string, string> | undefined) ?? {},
      recent: Array.isArray(item.recent) ? (item.recent as PersonView['recent']) : [],
    };
  }

  async publicSegments(): Promise<ReadonlySet<string>> {
    const now = this.clock();
    if (this.cached && now - this.cached.at < publicSegmentsCacheMs) return this.cached.ids;
    const ids = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': segmentPartition },
          ProjectionExpression: 'sk, #doc',
          ExpressionAttributeNames: { '#doc': 'doc' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      // Documents were validated when stored; only the flag is read (a segment is private unless it is `true`).
      for (const item of res.Items ?? []) if (isPublic(item.doc)) ids.add(String(item.sk));
      start = res.LastEvaluatedKey;
    } while (start);
    this.cached = { at: now, ids };
    return ids;
  }

  private async batchGet(keys: readonly Key[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += batchGetKeys) {
      let request: BatchGetCommandOutput['UnprocessedKeys'] = { [this.tableName]: { Keys: keys.slice(i, i + batchGetKeys) } };
      for (let round = 0; request && Object.keys(request).length > 0 && round < batchGetRounds; round++) {
        const res: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        out.push(...(res.Responses?.[this.tableName] ?? []));
        request = res.UnprocessedKeys?.[this.tableName]?.Keys?.length ? { [this.tableName]: res.UnprocessedKeys[this.tableName]! } : undefined;
      }
      if (request && Object.keys(request).length > 0) throw new Error(`serving read left unprocessed keys after ${batchGetRounds} rounds`);
    }
    return out;
  }
}

function isPublic(doc: unknown): boolean {
  try {
    return (JSON.parse(String(doc)) as { public?: unknown }).public === true;
  } catch {
    return false;
  }
}
