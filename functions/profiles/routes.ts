/**
 * HTTP routes of profiles, with their OpenAPI documentation: the admin read API over a lead and the
 * hot-leads list. Adding a route: a row here and a test.
 */
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses } from '../shared/route-docs.js';
import { leadsQuery, profileQuery } from './domain/admin-schemas.js';
import { hotLeads, type LeadsPorts } from './domain/leads.js';
import { parseProfileRef, profileView, type ProfileViewPorts } from './domain/profile-view.js';
import { MergeChainTooLongError } from './errors.js';

/** What the admin profiles function wires at module load (adapters/profile-reader.ts, identity links, rules). */
export type ProfilesAdminPorts = ProfileViewPorts & LeadsPorts;

export const profilesAdminRoutes = routesOf<ProfilesAdminPorts>('adminProfiles', [
  {
    method: 'GET',
    path: '/v1/admin/profiles/{id}',
    auth: 'admin',
    doc: {
      summary: 'A lead: profile, identities, score breakdown and activity',
      description: '`{id}` is a profile id or `email:…`, `user:…`, `anon:…`. Activity is newest first, 50 a page; follow `next`.',
      tags: ['admin'],
      query: profileQuery,
      responses: {
        '200': {
          description: 'The profile',
          schema: {
            type: 'object',
            properties: { profile: { type: 'object' }, identities: { type: 'object' }, touches: { type: 'object', description: 'first and last marketing touch (UTM, referrer domain, landing page, time)' }, score: { type: 'object' }, activity: { type: 'array' }, next: { type: 'string' } },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const q = parseQuery(profileQuery, req);
      const id = req.params.id ?? '';
      const ref = parseProfileRef(id);
      if (!ref) throw new BadRequestError('id', 'not a valid email address');
      try {
        const view = await profileView(ref, q, ports);
        if (!view) throw new NotFoundError(`${'key' in ref ? 'identity' : 'profile'} ${id} not found`);
        return json(200, view);
      } catch (err) {
        if (err instanceof MergeChainTooLongError) throw new NotFoundError(`profile ${id} not found (merge chain too long)`);
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/leads',
    auth: 'admin',
    doc: {
      summary: 'Hot leads, best first',
      description: 'Without `stage`, every known stage; anonymous visitors with `includeAnonymous=true` (those with at least 10 behaviour points: anonymousRankMinPoints). `limit` 1–200 (default 50).',
      tags: ['admin'],
      query: leadsQuery,
      responses: {
        '200': { description: 'Leads', schema: { type: 'object', properties: { leads: { type: 'array' }, asOf: { type: 'string' }, order: { const: 'score' } } } },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const q = parseQuery(leadsQuery, req);
      if (q.limit !== undefined && q.limit < 1) throw new BadRequestError('limit', 'must be at least 1');
      return json(200, await hotLeads({ ...(q.stage ? { stage: q.stage } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}), includeAnonymous: q.includeAnonymous === 'true' }, ports));
    },
  },
]);

/** Every route of profiles. */
export const profileRoutes = [...profilesAdminRoutes];
