/**
 * HTTP routes of channels (広告媒体・コスト・オフライン接点), with their OpenAPI documentation, all served by
 * the channelsAdmin function: the media registry, ad costs and offline touches. Attribution is an analytics
 * report (functions/analytics/reports/attribution.*) over these.
 */
import type { Route } from '../shared/http.js';
import type { CostRoutePorts } from './cost-routes.js';
import { costRoutes } from './cost-routes.js';
import type { OfflineRoutePorts } from './offline-routes.js';
import { offlineRoutes } from './offline-routes.js';
import type { RegistryRoutePorts } from './registry-routes.js';
import { registryRoutes } from './registry-routes.js';

/** What the channels admin function wires at module load (functions/channels/adapters/admin-ports.ts). */
export type ChannelsAdminPorts = RegistryRoutePorts & CostRoutePorts & OfflineRoutePorts;

export const channelsAdminRoutes: readonly Route<ChannelsAdminPorts>[] = [...registryRoutes, ...costRoutes, ...offlineRoutes];

/** Every route of channels. */
export const channelsRoutes = [...channelsAdminRoutes];
