import { SFNClient } from '@aws-sdk/client-sfn';

/** Step Functions client; local mode points it at its endpoint through AWS_ENDPOINT_URL_SFN. */
export function sfnClient(): SFNClient {
  return new SFNClient({});
}
