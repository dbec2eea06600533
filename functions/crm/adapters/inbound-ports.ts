/**
 * The ports of `crmInbound`, wired once at cold start: the shared secret(s), the replay guard item in the
 * main table, identity links as collect writes them, and the events stream.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { identify } from '../../identity/domain/identify.js';
import { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { kinesisClient } from '../../shared/aws/kinesis.js';
import { parseEnv, required } from '../../shared/env.js';
import type { InboundPorts } from '../domain/receive.js';
import { inboundReplayKey } from '../domain/signature.js';

/** The function's environment, parsed once; fails naming each bad variable. */
export function crmInboundEnv(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(
    z.object({
      TABLE_NAME: required(),
      EVENTS_STREAM_NAME: required(),
      CRM_SECRET: z.optional(z.string().check(z.minLength(32))),
      CRM_SECRET_ARN: z.optional(z.string()),
    }),
    env,
  );
}
export type CrmInboundEnv = ReturnType<typeof crmInboundEnv>;

/** Sort key of the replay guard item (pk `crmin#<id>`). */
export const replayGuardSk = 'crmin';

/** Secrets in a comma list (the current first; the previous one beside it while senders switch). */
const secretList = (value: string) => value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** `CRM_SECRET` when given (local mode), else the Secrets Manager secret `CRM_SECRET_ARN`, read once. */
export async function loadCrmSecrets(env: Pick<CrmInboundEnv, 'CRM_SECRET' | 'CRM_SECRET_ARN'>): Promise<string[]> {
  if (env.CRM_SECRET) return secretList(env.CRM_SECRET);
  if (!env.CRM_SECRET_ARN) throw new Error('Invalid environment: CRM_SECRET or CRM_SECRET_ARN is required');
  const client = new SecretsManagerClient({});
  try {
    const res = await client.send(new GetSecretValueCommand({ SecretId: env.CRM_SECRET_ARN }));
    if (!res.SecretString) throw new Error(`secret ${env.CRM_SECRET_ARN} has no string value`);
    return secretList(res.SecretString);
  } finally {
    client.destroy();
  }
}

export async function crmInboundPorts(env: CrmInboundEnv): Promise<InboundPorts> {
  const doc = documentClient();
  const table = env.TABLE_NAME;
  const links = new DynamoLinkStore(doc, table);
  const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);
  const secrets = await loadCrmSecrets(env);
  const key = (id: string) => ({ pk: inboundReplayKey(id), sk: replayGuardSk });
  return {
    secrets: async () => secrets,
    async guard(id, expiresAt) {
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: { ...key(id), expiresAt },
            ConditionExpression: 'attribute_not_exists(pk) OR released = :yes',
            ExpressionAttributeValues: { ':yes': true },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    },
    // Marked released rather than deleted: the function's table grant has no DeleteItem, and TTL removes it.
    async release(id) {
      await doc.send(new PutCommand({ TableName: table, Item: { ...key(id), released: true, expiresAt: Math.floor(Date.now() / 1000) } }));
    },
    async profileOfEmail(email, at) {
      const res = await identify({ email, at }, links);
      // The email was validated with the same normalization: identify always answers.
      if (!res) throw new Error('identify gave no profile for a valid email');
      return res.profileId;
    },
    putEvents: (events) => sink.put(events),
    now: () => new Date(),
  };
}
