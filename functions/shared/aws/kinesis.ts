import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** HTTP/1.1 keep-alive: Kinesis' default HTTP/2 handler is only needed for SubscribeToShard. */
export function kinesisClient(): KinesisClient {
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}
