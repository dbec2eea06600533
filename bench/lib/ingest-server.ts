/**
 * Child process of bench/ingest.ts: serves one of three targets on an ephemeral loopback port and prints
 * `READY <url> <writeKey>`:
 * - bare:      node:http answering 204, the ceiling of any Node HTTP service on this machine;
 * - inproc:    the real collect handler behind local mode's API Gateway adapter, with Kinesis and DynamoDB
 *              answered in-process (stubbed client send), so the figure is Nurture's own request path;
 * - emulators: the whole local mode (kinesalite, dynalite) as `npm start` runs it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const mode = process.argv[2];
// Exit through process.exit so --cpu-prof and friends write their output.
process.on('SIGINT', () => process.exit(0));
const writeKey = 'bench_write_key_1';

if (mode === 'bare') {
  const server = createServer((_req, res) => {
    _req.resume();
    _req.on('end', () => res.writeHead(204).end());
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port} ${writeKey}`);
  });
} else if (mode === 'inproc') {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    TABLE_NAME: 'bench',
    EVENTS_STREAM_NAME: 'bench',
    WRITE_KEYS: writeKey,
    ALLOWED_ORIGINS: '*',
  });
  // Plain prototype stubs rather than aws-sdk-client-mock, whose call recording would dominate the profile.
  const { KinesisClient } = await import('@aws-sdk/client-kinesis');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const kinesisSend = async (command: { input: { Records?: unknown[] } }) => ({
    FailedRecordCount: 0,
    Records: (command.input.Records ?? []).map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-000000000000' })),
  });
  const dynamoSend = async (command: { constructor: { name: string } }) =>
    command.constructor.name === 'BatchGetCommand' ? { Responses: {} } : {};
  (KinesisClient.prototype as unknown as { send: unknown }).send = kinesisSend;
  (DynamoDBDocumentClient.prototype as unknown as { send: unknown }).send = dynamoSend;
  const { handler } = (await import('../../functions/ingest/collect.js')) as unknown as {
    handler: import('../../local/emulators/api-gateway.js').HttpHandler;
  };
  const { invokeHttp } = await import('../../local/emulators/api-gateway.js');
  // collect dispatches on API Gateway's route key (`POST /v1/batch`), as on AWS.
  const routeKeyOf = (req: import('node:http').IncomingMessage) => `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
  const server = createServer((req, res) => void invokeHttp(req, res, routeKeyOf(req), 'collect', handler));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(`READY http://127.0.0.1:${(server.address() as AddressInfo).port} ${writeKey}`);
  });
} else if (mode === 'emulators') {
  const { startLocal } = await import('../../local/runtime/runtime.js');
  const local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0 } });
  console.log(`READY ${local.apiUrl} ${local.secrets.writeKey}`);
  process.on('SIGTERM', () => void local.stop().then(() => process.exit(0)));
} else {
  console.error('usage: ingest-server.ts bare|inproc|emulators');
  process.exit(2);
}
