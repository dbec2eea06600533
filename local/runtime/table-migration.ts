/**
 * A local table made by an earlier version lacks an index added since (dynalite's UpdateTable cannot
 * create a global secondary index): its items are copied out, the table is made anew from the shared
 * definition, and the items go back, so a persisted `.nurture/data` keeps its leads and gains the index.
 * Local mode only; on AWS, CloudFormation adds the index to the live table.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

/** Index names the table has that it should have; empty when nothing is missing. */
export async function missingIndexes(ddb: DynamoDBClient, input: CreateTableCommandInput): Promise<string[]> {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: input.TableName }));
  const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName));
  return (input.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName!).filter((name) => !have.has(name));
}

/** Recreates the table from `input` with its items kept; returns how many items were copied. */
export async function recreateWithItems(ddb: DynamoDBClient, input: CreateTableCommandInput): Promise<number> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: input.TableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  await ddb.send(new DeleteTableCommand({ TableName: input.TableName }));
  await ddb.send(new CreateTableCommand(input));
  for (let i = 0; i < items.length; i += 25) {
    let pending: { PutRequest: { Item: Record<string, AttributeValue> } }[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round >= 10) throw new Error(`copying ${input.TableName} back left unprocessed items`);
      const res = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [input.TableName!]: pending } }));
      pending = res.UnprocessedItems?.[input.TableName!] as typeof pending;
    }
  }
  return items.length;
}
