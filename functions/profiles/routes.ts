/**
 * HTTP routes of profiles, with their OpenAPI documentation: the admin read API over a lead and the
 * hot-leads list. Adding a route: a row here and a test.
 */
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses } from '../shared/route-docs.js';
import { touchesLimits } from '../analytics/domain/touches-query.js';
import { leadsQuery, profileQuery, touchesQuery } from './domain/admin-schemas.js';
import { hotLeads, type LeadsPorts } from './domain/leads.js';
import { parseProfileRef, type ProfileRef, profileView, type ProfileViewPorts } from './domain/profile-view.js';
import { leadTouches, type TouchesPorts } from './domain/touches-view.js';
import { MergeChainTooLongError } from './errors.js';

/** What the admin profiles function wires at module load (adapters/profile-reader.ts, identity links, rules). */
export type ProfilesAdminPorts = ProfileViewPorts & LeadsPorts & TouchesPorts;

function refOf(id: string): ProfileRef {
  const ref = parseProfileRef(id);
  if (!ref) throw new BadRequestError('id', 'not a valid email address');
  return ref;
}

/** Runs a read of the lead `id` names: 404 when none (or its merge chain is too long to follow). */
async function ofLead<T>(id: string, ref: ProfileRef, read: () => Promise<T | undefined>): Promise<T> {
  try {
    const found = await read();
    if (!found) throw new NotFoundError(`${'key' in ref ? 'identity' : 'profile'} ${id} not found`);
    return found;
  } catch (err) {
    if (err instanceof MergeChainTooLongError) throw new NotFoundError(`profile ${id} not found (merge chain too long)`);
    throw err;
  }
}

const classification = {
  type: 'object',
  description: 'The medium and channel group under the media registry in force (GET /v1/admin/channels)',
  properties: { medium: { type: 'string' }, mediumName: { type: 'string' }, channel: { type: 'string' } },
};

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
            properties: {
              profile: { type: 'object' },
              identities: { type: 'object' },
              touches: {
                type: 'object',
                description: 'first and last marketing touch (UTM, referrer domain, landing page, time), each with its `classification`',
                properties: { first: { type: 'object', properties: { classification } }, last: { type: 'object', properties: { classification } } },
              }, score: { type: 'object' }, activity: { type: 'array' }, next: { type: 'string' } },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const q = parseQuery(profileQuery, req);
      const id = req.params.id ?? '';
      const ref = refOf(id);
      return json(200, await ofLead(id, ref, () => profileView(ref, q, ports)));
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/profiles/{id}/touches',
    auth: 'admin',
    doc: {
      summary: "A lead's touches, oldest first: every visit and offline touch with its medium",
      description:
        '`{id}` as for the profile. A visit is a session\'s first page view (sessions split by 30 minutes without an event, over this person\'s events); ' +
        'an offline touch is an `Offline Touch` event. The person\'s own and merged profiles are read over the last `days` days ' +
        `(default ${touchesLimits.defaultDays}, at most ${touchesLimits.maxDays}); at most ${touchesLimits.maxTouches} touches, the newest (\`truncated\` says when there were more). ` +
        'Each has `classification` (medium, mediumName, channel) under the media registry in force. `lake: false`: this deployment has no event lake to read.',
      tags: ['admin'],
      query: touchesQuery,
      responses: {
        '200': {
          description: 'The touches',
          schema: {
            type: 'object',
            properties: {
              profileId: { type: 'string' },
              days: { type: 'integer' },
              since: { type: 'string' },
              truncated: { type: 'boolean' },
              touches: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    kind: { enum: ['visit', 'offline'] },
                    id: { type: 'string' },
                    at: { type: 'string' },
                    landingPage: { type: 'string' },
                    source: { type: 'string' },
                    medium: { type: 'string', description: 'utm_medium' },
                    campaign: { type: 'string' },
                    referrerDomain: { type: 'string' },
                    clickIdType: { type: 'string' },
                    data: { type: 'object', description: 'Offline Touch properties' },
                    classification,
                  },
                },
              },
            },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const q = parseQuery(touchesQuery, req);
      const id = req.params.id ?? '';
      const ref = refOf(id);
      return json(200, await ofLead(id, ref, () => leadTouches(ref, q, ports)));
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
