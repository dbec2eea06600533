import { httpFunction } from '../shared/http-function.js';
import { segmentsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { segmentsRoutes } from './routes.js';

/** Admin API of segments: definitions, members and previews (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('segmentsAdmin', segmentsRoutes, segmentsAdminPortsFromEnv());
