import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The HMAC secret of link tokens: `LINK_SECRET` when given (local mode keeps a generated one in its data
 * folder), else the Secrets Manager secret named by `LINK_SECRET_ARN` (the stack creates it), read once
 * per cold start.
 */
export async function loadLinkSecret(env: { LINK_SECRET?: string | undefined; LINK_SECRET_ARN?: string | undefined }): Promise<string> {
  if (env.LINK_SECRET) return env.LINK_SECRET;
  if (!env.LINK_SECRET_ARN) throw new Error('Invalid environment: LINK_SECRET or LINK_SECRET_ARN is required');
  const client = new SecretsManagerClient({});
  try {
    const res = await client.send(new GetSecretValueCommand({ SecretId: env.LINK_SECRET_ARN }));
    if (!res.SecretString) throw new Error(`secret ${env.LINK_SECRET_ARN} has no string value`);
    return res.SecretString;
  } finally {
    client.destroy();
  }
}
