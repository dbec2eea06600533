import { httpFunction } from '../shared/http-function.js';
import { channelsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { channelsAdminRoutes } from './routes.js';

/** Admin API of channels: the media registry, ad costs and offline touches (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('channelsAdmin', channelsAdminRoutes, channelsAdminPortsFromEnv());
