/** Routes of ad costs: import (CSV) and read. Filled in by the costs work. */
import { routesOf } from '../shared/http.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CostRoutePorts {}

export const costRoutes = routesOf<CostRoutePorts>('channelsAdmin', []);
