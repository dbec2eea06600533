/** The channels admin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { kinesisClient } from '../../shared/aws/kinesis.js';
import { parseEnv, required } from '../../shared/env.js';
import { currencyPattern, defaultCurrency } from '../domain/cost-csv.js';
import type { ChannelsAdminPorts } from '../routes.js';
import { DynamoCostStore } from './cost-store.js';
import { OfflineImporter } from './offline-importer.js';
import { DynamoRegistryStore } from './registry-store.js';

export function channelsAdminPortsFromEnv(): ChannelsAdminPorts {
  const env = parseEnv(
    z.object({
      TABLE_NAME: required(),
      EVENTS_STREAM_NAME: required(),
      // infra/channels.ts sets it from `nurture:currency`; local mode runs with the same default.
      CURRENCY: z._default(z.string().check(z.regex(currencyPattern, 'an ISO 4217 code such as JPY')), defaultCurrency),
    }),
  );
  const doc = documentClient();
  return {
    registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
    costs: new DynamoCostStore(doc, env.TABLE_NAME),
    currency: env.CURRENCY,
    // Offline touches: identity links as collect writes them, events on the stream, consent and a ledger.
    offline: new OfflineImporter(doc, env.TABLE_NAME, new DynamoLinkStore(doc, env.TABLE_NAME), new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME)),
    now: () => new Date(),
  };
}
