import { httpFunction } from '../shared/http-function.js';
import { segmentsAdminPortsFromEnv } from './adapters/admin-ports.js';
import { segmentRoutes } from './routes.js';

/** Admin API of segments: definitions (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('segmentsAdmin', segmentRoutes, segmentsAdminPortsFromEnv());
