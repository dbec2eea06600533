import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LinkStore } from '../domain/identify.js';
import type { IdentityKey } from '../domain/keys.js';
import { keyString } from '../domain/keys.js';
import type { Link } from '../domain/resolve.js';

/** Partition key of an identity link item (sort key is always `link`). */
export function linkPk(key: IdentityKey): string {
  return `id#${key.kind}#${key.value}`;
}

/** Identity links as single items in the main table; every write is one conditional PutItem. */
export class DynamoLinkStore implements LinkStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /**
     * Strongly consistent reads (twice the read cost). Collect needs them to decide identify races; the
     * stream processor reads links that collect wrote before the events entered the stream, and may
     * read eventually consistent ones.
     */
    private readonly consistent = true,
  ) {}

  async get(keys: IdentityKey[]): Promise<Map<string, Link>> {
    const byPk = new Map(keys.map((k) => [linkPk(k), k]));
    const out = new Map<string, Link>();
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [this.tableName]: { Keys: [...byPk.keys()].map((pk) => ({ pk, sk: 'link' })), ConsistentRead: this.consistent },
    };
    // BatchGet may return UnprocessedKeys under throttling; loop until all are read.
    for (let round = 0; request && round < 8; round++) {
      const res: BatchGetCommandOutput = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[this.tableName] ?? []) {
        const key = byPk.get(item.pk as string);
        if (key) {
          out.set(keyString(key), {
            profileId: item.profileId as string,
            ...(item.knownAs ? { knownAs: item.knownAs as string } : {}),
          });
        }
      }
      const unprocessed: { Keys?: Record<string, unknown>[] } | undefined = res.UnprocessedKeys?.[this.tableName];
      request = unprocessed?.Keys?.length
        ? { [this.tableName]: { Keys: unprocessed.Keys, ConsistentRead: this.consistent } }
        : undefined;
    }
    if (request) throw new Error('identity link read left unprocessed keys after 8 rounds');
    return out;
  }

  async create(key: IdentityKey, link: Link, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: linkPk(key), sk: 'link', ...link, asOf: at, createdAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async point(key: IdentityKey, link: Link, at: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: linkPk(key), sk: 'link', ...link, asOf: at, createdAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR asOf <= :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (err) {
      // A link written for a later event already stands: the newer identify wins, nothing to do.
      if (err instanceof ConditionalCheckFailedException) return;
      throw err;
    }
  }
}
