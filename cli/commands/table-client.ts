/**
 * The main table a command talks to: a running `npm start`'s DynamoDB (port NURTURE_DYNAMODB_PORT, default
 * 4570, or --dynamodb-endpoint) unless --aws, then the deployed table with your AWS credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Command } from 'commander';
import { portsFromEnv } from '../../local/runtime/ports.js';

type Options = Record<string, string | boolean | undefined>;

/** Adds --table and --dynamodb-endpoint (and --aws unless the command has it). */
export function tableOptions(cmd: Command, withAws = true): Command {
  if (withAws) cmd.option('--aws', 'use the deployed stack with your AWS credentials');
  return cmd
    .option('--table <name>', "table name (on AWS: the physical name of the stack's table)", 'nurture-main')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)');
}

/** A document client and table name for the options; destroy() the client when done. */
export function tableClient(opts: Options): { doc: DynamoDBDocumentClient; table: string } {
  const local = !opts.aws;
  const endpoint = String(opts.dynamodbEndpoint ?? `http://127.0.0.1:${portsFromEnv().dynamodb}`);
  // Locally one attempt: a stopped npm start answers at once with a refused connection.
  const client = new DynamoDBClient(local ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 } : {});
  return { doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), table: String(opts.table ?? 'nurture-main') };
}

/**
 * The table and the events stream a command writes to (--kinesis-endpoint locally, default npm start's
 * Kinesis port); close() destroys both clients.
 */
export function tableAndStreamClients(opts: Options): { doc: DynamoDBDocumentClient; table: string; kinesis: KinesisClient; close(): void } {
  const { doc, table } = tableClient(opts);
  const local = !opts.aws;
  const endpoint = String(opts.kinesisEndpoint ?? `http://127.0.0.1:${portsFromEnv().kinesis}`);
  // Kinesis over HTTP/1.1: the local emulator does not speak the SDK's default HTTP/2 (LOCAL-AWS.md).
  const kinesis = new KinesisClient({
    ...(local ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: new NodeHttpHandler(),
  });
  return { doc, table, kinesis, close: () => (doc.destroy(), kinesis.destroy()) };
}
