import { httpFunction } from '../shared/http-function.js';

/**
 * Placeholder so the stack synthesizes: the reports (GET /v1/admin/analytics/{report}) replace this file
 * with the real handler.
 */
export const handler = httpFunction('analyticsAdmin', [], {});
