import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/*
 * One module per SDK client, so a function's bundle loads only the clients it uses (each client adds
 * init CPU at cold start). Endpoints come from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * ...), which local mode sets: handlers never know where they run.
 */

/** Document client that drops undefined attributes instead of failing on them. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
