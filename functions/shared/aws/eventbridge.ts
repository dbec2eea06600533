import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** EventBridge client; local mode points it at its bus through AWS_ENDPOINT_URL_EVENTBRIDGE. */
export function eventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({});
}
