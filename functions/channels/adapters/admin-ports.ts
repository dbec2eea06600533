/** The channels admin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { kinesisClient } from '../../shared/aws/kinesis.js';
import { parseEnv, required } from '../../shared/env.js';
import { DynamoLinkStore } from '../../identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../ingest/adapters/kinesis-sink.js';
import type { ChannelsAdminPorts } from '../routes.js';
import { OfflineImporter } from './offline-importer.js';
import { DynamoRegistryStore } from './registry-store.js';

export function channelsAdminPortsFromEnv(): ChannelsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required(), EVENTS_STREAM_NAME: required() }));
  const doc = documentClient();
  return {
    registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
    // Offline touches: identity links as collect writes them, events on the stream, consent and a ledger.
    offline: new OfflineImporter(doc, env.TABLE_NAME, new DynamoLinkStore(doc, env.TABLE_NAME), new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME)),
    now: () => new Date(),
  };
}
