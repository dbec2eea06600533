/**
 * HTTP routes of segments, with their OpenAPI documentation, served by the segmentsAdmin function:
 * definitions at /v1/admin/segments[/{id}] (members and the preview: member-routes.ts).
 *
 * Every write checks the whole set (references name stored segments, no cycle, chains and count within
 * segmentLimits). PUT and DELETE check the version read (optimistic concurrency); a replayed POST or PUT
 * (same document, its answer lost) answers as the first did, a replayed DELETE answers `deleted: false`.
 */
import { ClientError, BadRequestError, NotFoundError } from '../shared/errors.js';
import { bodyText, json, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import type { SegmentStore, StoredSegment } from './adapters/definition-store.js';
import { referencesOf, type Segment, segmentLimits } from './domain/definition.js';
import type { MembershipReader } from './domain/membership.js';
import type { JobStatus } from './domain/backfill.js';
import { type MemberRoutePorts, memberRoutes } from './member-routes.js';
import { checkedAgainstSet, idParam, jsonObject, segmentJson, segmentOf } from './route-helpers.js';

export { setProblems } from './route-helpers.js';

export interface SegmentRoutePorts {
  segments: SegmentStore;
  /** The O(1) member count GET answers. */
  membership: Pick<MembershipReader, 'count'>;
  /** The segment's latest back-fill (evaluation of existing people, or purge) with its progress. */
  backfills?: { status(segmentId: string): Promise<JobStatus | undefined> };
  now(): Date;
}

/** What the segmentsAdmin function wires at module load (functions/segments/adapters/admin-ports.ts). */
export type SegmentsAdminPorts = SegmentRoutePorts & MemberRoutePorts;

const answerOf = (s: StoredSegment) => ({ ...s.segment, version: s.version, ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}) });
const same = (a: Segment, b: Segment) => JSON.stringify(a) === JSON.stringify(b);

const storedJson: JsonSchema = {
  ...segmentJson,
  properties: { ...(segmentJson.properties as object), version: { type: 'integer', description: 'Send it back with PUT (or DELETE ?version=)' }, updatedAt: { type: 'string' } },
};
const putJson: JsonSchema = {
  ...segmentJson,
  properties: { ...(segmentJson.properties as object), version: { type: 'integer', minimum: 1, description: 'The version GET answered' } },
  required: ['version', 'name', 'conditions'],
};
const problemsNote = 'A bad field answers 400 naming it (`conditions[1].any[0].gte`) with every problem in `problems`; an unknown segment reference, a cycle, a chain or a count over the limits too.';
const limitsNote = `Limits: ${segmentLimits.maxSegments} segments, ${segmentLimits.maxConditions} conditions a segment, all/any/not nested ${segmentLimits.maxNesting} deep, segment references ${segmentLimits.maxReferenceDepth} deep, ids of ${segmentLimits.maxIdChars} characters.`;
const conflict = (description: string) => ({ '409': { description, schema: clientErrorSchema } });
const tags = ['admin', 'segments'];

export const segmentRoutes = routesOf<SegmentRoutePorts>('segmentsAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/segments',
    auth: 'admin',
    doc: {
      summary: 'Every segment definition, by id, with its version',
      description: limitsNote,
      tags,
      responses: { '200': { description: 'The definitions', schema: { type: 'object', properties: { segments: { type: 'array', items: storedJson }, limits: { type: 'object' } } } }, ...adminErrorResponses },
    },
    async handle(_req, { segments }) {
      return json(200, { segments: (await segments.list()).map(answerOf), limits: segmentLimits });
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/segments',
    auth: 'admin',
    doc: {
      summary: 'Create a segment definition',
      description: `${problemsNote} An id that exists answers 409; replaying the same document answers as the first time. ${limitsNote}`,
      tags,
      body: segmentJson,
      bodyTypes: ['application/json'],
      responses: { '201': { description: 'Stored at version 1', schema: storedJson }, ...adminErrorResponses, ...conflict('A segment has this id') },
    },
    async handle(req, { segments, now }) {
      const segment = segmentOf(jsonObject(bodyText(req.event)));
      const existing = await segments.get(segment.id);
      // A replay of a create whose answer was lost: the same document, still at version 1.
      if (existing && existing.version === 1 && same(existing.segment, segment)) return json(201, answerOf(existing));
      if (existing) throw new ClientError(409, `id: a segment "${segment.id}" exists (version ${existing.version}): PUT /v1/admin/segments/${segment.id} changes it`, { field: 'id', version: existing.version });
      await checkedAgainstSet(segments, segment);
      const at = now();
      if (!(await segments.create(segment, at))) throw new ClientError(409, `id: a segment "${segment.id}" was created meanwhile`, { field: 'id' });
      return json(201, answerOf({ segment, version: 1, updatedAt: at.toISOString() }));
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/segments/{id}',
    auth: 'admin',
    doc: {
      summary: 'One segment definition with its version and its member count',
      description:
        '`members` is the sum of the segment\'s 16 shard counters (one query), changed in the same transaction as each member item. ' +
        '`backfill` is the latest back-fill of existing people (opened by every create and update): `status` running|done, `partitions`/`partitionsDone`, `evaluated`, `entered`, `exited`.',
      tags,
      responses: { '200': { description: 'The definition', schema: { ...storedJson, properties: { ...(storedJson.properties as object), members: { type: 'integer' }, backfill: { type: 'object' } } } }, ...adminErrorResponses },
    },
    async handle(req, { segments, membership, backfills }) {
      const id = idParam(req.params);
      const found = await segments.get(id);
      if (!found) throw new NotFoundError(`segment ${id} not found`);
      const [members, backfill] = await Promise.all([membership.count(id), backfills?.status(id)]);
      return json(200, { ...answerOf(found), members, ...(backfill ? { backfill } : {}) });
    },
  },
  {
    method: 'PUT',
    path: '/v1/admin/segments/{id}',
    auth: 'admin',
    doc: {
      summary: 'Replace a segment definition',
      description: `Send the \`version\` GET answered (\`updatedAt\` is ignored; \`id\`, if sent, must be the path's). ${problemsNote} A version that is no longer the stored one answers 409 (read again, reapply, retry); replaying the same document at the same version answers as the first time.`,
      tags,
      body: putJson,
      bodyTypes: ['application/json'],
      responses: { '200': { description: 'Stored', schema: storedJson }, ...adminErrorResponses, ...conflict('The definition changed since `version` was read') },
    },
    async handle(req, { segments, now }) {
      const id = idParam(req.params);
      const { version, updatedAt: _ignored, ...rest } = jsonObject(bodyText(req.event));
      if (!(Number.isSafeInteger(version) && (version as number) >= 1)) throw new BadRequestError('version', version === undefined ? 'missing: the version GET answered' : 'an integer, 1 or more');
      if (rest.id !== undefined && rest.id !== id) throw new BadRequestError('id', `"${String(rest.id)}" is not the path's segment id "${id}" (ids do not change: create the new one and delete this one)`);
      const segment = segmentOf({ ...rest, id });
      const v = version as number;
      const existing = await segments.get(id);
      if (!existing) throw new NotFoundError(`segment ${id} not found (POST /v1/admin/segments creates it)`);
      if (existing.version === v + 1 && same(existing.segment, segment)) return json(200, answerOf(existing));
      if (existing.version !== v) throw staleVersion(id, existing.version, v);
      await checkedAgainstSet(segments, segment);
      const at = now();
      if (!(await segments.replace(segment, v, at))) throw staleVersion(id, (await segments.get(id))?.version ?? 0, v);
      return json(200, answerOf({ segment, version: v + 1, updatedAt: at.toISOString() }));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/segments/{id}',
    auth: 'admin',
    doc: {
      summary: 'Delete a segment definition',
      description: 'Refused with 409 while other segments reference it (`referencedBy` names them). `?version=` deletes only that version. Deleting an absent segment answers `deleted: false` (a replay is harmless).',
      tags,
      responses: {
        '200': { description: 'Deleted, or already absent', schema: { type: 'object', properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } } },
        ...adminErrorResponses,
        ...conflict('Referenced by other segments, or not at `version`'),
      },
    },
    async handle(req, { segments }) {
      const id = idParam(req.params);
      const raw = req.query.version;
      const version = raw === undefined ? undefined : Number(raw);
      if (version !== undefined && !(Number.isSafeInteger(version) && version >= 1)) throw new BadRequestError('version', 'an integer, 1 or more');
      const all = await segments.list();
      const existing = all.find((s) => s.segment.id === id);
      if (!existing) return json(200, { id, deleted: false });
      const referencedBy = all.filter((s) => referencesOf(s.segment).some((r) => r.id === id)).map((s) => s.segment.id);
      if (referencedBy.length > 0) {
        throw new ClientError(409, `id: segment ${id} is referenced by ${referencedBy.join(', ')}: remove those references first`, { field: 'id', referencedBy });
      }
      if (version !== undefined && existing.version !== version) throw staleVersion(id, existing.version, version);
      if (!(await segments.remove(id, version ?? existing.version))) throw staleVersion(id, (await segments.get(id))?.version ?? 0, version ?? existing.version);
      return json(200, { id, deleted: true });
    },
  },
]);

function staleVersion(id: string, stored: number, sent: number): ClientError {
  return new ClientError(409, `version: segment ${id} is at version ${stored}, not ${sent}: read it again and reapply your change`, { field: 'version', version: stored });
}

/** Every route of segments (the segmentsAdmin function serves them all). */
export const segmentsRoutes = [...segmentRoutes, ...memberRoutes];
