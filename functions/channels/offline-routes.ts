/** Routes of offline touches: import of people met offline (CSV). Filled in by the offline work. */
import { routesOf } from '../shared/http.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OfflineRoutePorts {}

export const offlineRoutes = routesOf<OfflineRoutePorts>('channelsAdmin', []);
