/**
 * Routes of the media registry: GET/PUT /v1/admin/channels (the operator's media and the defaults) and
 * GET /v1/admin/channels/classify (which medium a touch is). Filled in by the registry work.
 */
import { routesOf } from '../shared/http.js';
import type { RegistryReader } from './domain/ports.js';
import type { RegistryDoc } from './domain/registry.js';

export interface RegistryRoutePorts {
  registry: RegistryReader & {
    /** Stores the document if the stored one is still `expectedVersion` (0: none yet); false when it moved. */
    putRegistry(doc: RegistryDoc, expectedVersion: number): Promise<boolean>;
  };
  now(): Date;
}

export const registryRoutes = routesOf<RegistryRoutePorts>('channelsAdmin', []);
