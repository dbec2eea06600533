import { httpFunction } from '../shared/http-function.js';
import { analyticsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { analyticsRoutes } from './routes.js';

/**
 * Admin API of analytics: reports over the event lake and erasure requests of a person's lake rows
 * (admin routes: IAM on AWS, the admin token locally).
 */
export const handler = httpFunction('analyticsAdmin', analyticsRoutes, await analyticsAdminPortsFromEnv());
