/** The channels admin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { parseEnv, required } from '../../shared/env.js';
import type { ChannelsAdminPorts } from '../routes.js';
import { DynamoRegistryStore } from './registry-store.js';

export function channelsAdminPortsFromEnv(): ChannelsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required() }));
  const doc = documentClient();
  return {
    registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
    now: () => new Date(),
  };
}
