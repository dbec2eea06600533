import { httpFunction } from '../shared/http-function.js';
import { adminPortsFromEnv } from './adapters/ports.js';
import { broadcastRoutes } from './routes.js';

/** Admin API of segment email (broadcasts): admin routes (IAM on AWS, the admin token locally). */
export const handler = httpFunction('broadcastsAdmin', broadcastRoutes, adminPortsFromEnv());
