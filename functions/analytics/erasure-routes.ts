/**
 * HTTP routes of lake erasure, with their OpenAPI documentation: request that a person's lake rows be
 * erased, and follow the request. The analytics admin function serves them beside the reports; the job
 * (analytics/erase.ts, domain/erase-job.ts) does the erasing.
 */
import * as z from 'zod/mini';
import '../shared/zod-messages.js';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { json, parseBody, routesOf } from '../shared/http.js';
import { adminErrorResponses, type JsonSchema } from '../shared/route-docs.js';
import { type ErasureRequest, type ErasureStore, newErasureRequest } from './domain/erase-job.js';
import { profileIdPattern } from './domain/erasure.js';

/** What the analytics admin function wires for erasure requests at module load (adapters/admin-ports.ts). */
export interface ErasureRoutesPorts {
  store: ErasureStore;
  newId(): string;
  now(): Date;
  /**
   * Carries out a new request at once, where the lake is files this function can rewrite (local mode);
   * absent on AWS, where the daily job does.
   */
  runNow?: (request: ErasureRequest) => Promise<ErasureRequest>;
}

/** Body of POST /v1/admin/analytics/erasures. */
export const erasureBody = z.object({
  profileId: z.string().check(z.regex(profileIdPattern, 'a profile id: 1-128 characters of A-Z a-z 0-9 _ . : -')),
});

const requestIdPattern = /^[A-Za-z0-9-]{1,64}$/;
const erasurePath = '/v1/admin/analytics/erasures';

const erasureSchema: JsonSchema = {
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    profileId: { type: 'string' },
    status: { enum: ['pending', 'done'] },
    requestedAt: { type: 'string', format: 'date-time' },
    completedAt: { type: 'string', format: 'date-time' },
    attempts: { type: 'integer', description: 'Runs of the erasure job that worked on it' },
    ids: { type: 'array', items: { type: 'string' }, description: 'The profile and every profile merged with it' },
    files: { type: 'integer', description: 'Lake files rewritten' },
    rows: { type: 'integer', description: 'Lake rows removed' },
    lastError: { type: 'string', description: 'Why the last run did not finish (the next run retries)' },
  },
  required: ['requestId', 'profileId', 'status', 'requestedAt'],
};

export const erasureRoutes = routesOf<ErasureRoutesPorts>('analyticsAdmin', [
  {
    method: 'POST',
    path: erasurePath,
    auth: 'admin',
    doc: {
      summary: "Erase a person's rows from the event lake",
      description:
        'Removes every events and identity row of the profile and of every profile merged with it. On AWS the daily erasure job carries it out (within about a day); locally at once. Follow it at the `Location` returned.',
      tags: ['admin', 'analytics'],
      body: erasureBody,
      responses: { '202': { description: 'Request accepted', schema: erasureSchema }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const { profileId } = parseBody(erasureBody, req);
      const request = newErasureRequest(ports.newId(), profileId, ports.now());
      await ports.store.create(request);
      const current = ports.runNow ? await ports.runNow(request) : request;
      return json(202, current, { location: `${erasurePath}/${request.requestId}` });
    },
  },
  {
    method: 'GET',
    path: `${erasurePath}/{id}`,
    auth: 'admin',
    doc: {
      summary: 'An erasure request and how far it got',
      tags: ['admin', 'analytics'],
      responses: { '200': { description: 'The request', schema: erasureSchema }, ...adminErrorResponses },
    },
    async handle(req, { store }) {
      const id = req.params.id ?? '';
      if (!requestIdPattern.test(id)) throw new BadRequestError('id', 'not an erasure request id');
      const request = await store.get(id);
      if (!request) throw new NotFoundError(`erasure request ${id} not found`);
      return json(200, request);
    },
  },
]);
