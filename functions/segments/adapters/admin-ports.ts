/** The segments admin function's ports, wired once at module load from the environment. */
import * as z from 'zod/mini';
import { documentClient } from '../../shared/aws/dynamodb.js';
import { parseEnv, required } from '../../shared/env.js';
import type { SegmentsAdminPorts } from '../routes.js';
import { DynamoSegmentStore } from './definition-store.js';

export function segmentsAdminPortsFromEnv(): SegmentsAdminPorts {
  const env = parseEnv(z.object({ TABLE_NAME: required() }));
  return { segments: new DynamoSegmentStore(documentClient(), env.TABLE_NAME), now: () => new Date() };
}
