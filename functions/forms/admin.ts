import { httpFunction } from '../shared/http-function.js';
import { formsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { formsAdminRoutes } from './admin-routes.js';

/**
 * Admin API of forms: definitions (checked before they are stored), submissions and stats (admin routes:
 * IAM on AWS, the admin token locally). The landing pages' admin routes join this function at merge.
 */
export const handler = httpFunction('formsAdmin', formsAdminRoutes, formsAdminPortsFromEnv());
