import { httpFunction } from '../shared/http-function.js';
import { formsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { formsAdminRoutes } from './routes.js';

/**
 * Admin API of forms and landing pages: definitions and pages (checked before they are stored), submissions and stats (admin routes:
 * IAM on AWS, the admin token locally).
 */
export const handler = httpFunction('formsAdmin', formsAdminRoutes, formsAdminPortsFromEnv());
