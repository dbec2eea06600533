/**
 * HTTP routes not yet moved into their capability's routes module (see functions/api/routes.ts), with
 * their documentation. Pure data.
 */

import { leadsQuery, profileQuery } from '../identity/domain/admin-schemas.js';
import type { RouteDef } from './http.js';
import { adminErrorResponses, type RouteDoc } from './route-docs.js';

export type { FunctionName } from './functions.js';
export { functionEntries } from './functions.js';
export type { RouteDef } from './http.js';

/**
 * Routes whose function does not yet serve them from its capability's routes module (functions/<cap>/routes.ts
 * with their documentation); functions/api/routes.ts joins both.
 */
export const pendingRoutes: readonly (RouteDef & { readonly doc: RouteDoc })[] = [
  {
    method: 'GET',
    path: '/v1/admin/profiles/{id}',
    fn: 'adminProfiles',
    cors: false,
    auth: 'admin',
    doc: {
      summary: 'A lead: profile, identities, score breakdown and activity',
      description: '`{id}` is a profile id or `email:…`, `user:…`, `anon:…`.',
      tags: ['admin'],
      query: profileQuery,
      responses: {
        '200': { description: 'The profile', schema: { type: 'object', properties: { profile: { type: 'object' }, identities: { type: 'object' }, score: { type: 'object' }, activity: { type: 'array' }, next: { type: 'string' } } } },
        ...adminErrorResponses,
      },
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/leads',
    fn: 'adminProfiles',
    cors: false,
    auth: 'admin',
    doc: {
      summary: 'Hot leads, best first',
      tags: ['admin'],
      query: leadsQuery,
      responses: { '200': { description: 'Leads', schema: { type: 'object', properties: { leads: { type: 'array' }, asOf: { type: 'string' } } } }, ...adminErrorResponses },
    },
  },
];
