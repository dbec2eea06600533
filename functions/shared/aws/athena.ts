import { AthenaClient } from '@aws-sdk/client-athena';

/** Athena client (reports on the lake); the analytics admin function uses it on AWS only. */
export function athenaClient(): AthenaClient {
  return new AthenaClient({});
}
