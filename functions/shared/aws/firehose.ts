import { FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Firehose client (Direct PUT of lake rows). Local mode points it at the local Firehose stand-in through
 * AWS_ENDPOINT_URL_FIREHOSE. A request that hangs is abandoned after a few seconds so the SDK's retry (and
 * then the Kinesis batch's) takes over instead of the function's timeout.
 */
export function firehoseClient(): FirehoseClient {
  return new FirehoseClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10_000 }) });
}
