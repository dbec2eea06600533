import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most 100 keys; unprocessed keys are asked again at most this many rounds. */
const keysPerCall = 100;
const maxRounds = 8;

/**
 * The partition keys among `keys` (pk/sk pairs) whose items exist, read consistently, 100 a call: what
 * the importers' ledgers ask before importing a file (a row already imported is skipped).
 */
export async function existingKeys(doc: DynamoDBDocumentClient, tableName: string, keys: readonly { pk: string; sk: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < keys.length; i += keysPerCall) {
    let request: Record<string, unknown>[] | undefined = keys.slice(i, i + keysPerCall);
    for (let round = 0; request && request.length > 0; round++) {
      if (round >= maxRounds) throw new Error(`ledger read left unprocessed keys after ${maxRounds} rounds`);
      const res: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ProjectionExpression: 'pk', ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[tableName] ?? []) out.add(String(item.pk));
      request = res.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return out;
}
