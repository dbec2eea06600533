import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/*
 * SDK client factories. Endpoints come from the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_KINESIS, ...), which local mode sets: handlers never know where they run.
 */

/** HTTP/1.1 keep-alive: Kinesis' default HTTP/2 handler is only needed for SubscribeToShard. */
export function kinesisClient(): KinesisClient {
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}

/** Document client that drops undefined attributes instead of failing on them. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * S3 client. AWS_S3_FORCE_PATH_STYLE=true (set by local mode) addresses buckets by path, which the local
 * S3 emulator needs; on AWS virtual-hosted style is the default and the variable is unset.
 */
export function s3Client(): S3Client {
  return new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
}

/**
 * SES v2 (local mode points it at aws-ses-v2-local through AWS_ENDPOINT_URL_SESV2). One attempt only: the
 * SDK would also retry a SendEmail whose answer was lost on the network, and SES may have accepted that
 * mail already. Callers retry refusals themselves, where they know it is safe.
 */
export function sesClient(): SESv2Client {
  return new SESv2Client({ maxAttempts: 1 });
}
