import { SESv2Client } from '@aws-sdk/client-sesv2';

/**
 * SES v2 (local mode points it at aws-ses-v2-local through AWS_ENDPOINT_URL_SESV2). One attempt only: the
 * SDK would also retry a SendEmail whose answer was lost on the network, and SES may have accepted that
 * mail already. Callers retry refusals themselves, where they know it is safe.
 */
export function sesClient(): SESv2Client {
  return new SESv2Client({ maxAttempts: 1 });
}
