/**
 * HTTP routes of segments, with their OpenAPI documentation, served by the segmentsAdmin function:
 * definitions at /v1/admin/segments[/{id}]. Membership, preview, broadcasts and exports come later.
 *
 * Every write checks the whole set (references name stored segments, no cycle, chains and count within
 * segmentLimits). PUT and DELETE check the version read (optimistic concurrency); a replayed POST or PUT
 * (same document, its answer lost) answers as the first did, a replayed DELETE answers `deleted: false`.
 */
import { ClientError, BadRequestError, NotFoundError } from '../shared/errors.js';
import { bodyText, json, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import type { SegmentStore, StoredSegment } from './adapters/definition-store.js';
import { referencesOf, type Segment, segmentIdRe, segmentLimits } from './domain/definition.js';
import { checkSegmentSet } from './domain/graph.js';
import { validateSegment } from './domain/validate.js';
import { SegmentError, type SegmentIssue, type SegmentSetIssue } from './errors.js';

export interface SegmentRoutePorts {
  segments: SegmentStore;
  now(): Date;
}

/** What the segmentsAdmin function wires at module load (functions/segments/adapters/admin-ports.ts). */
export type SegmentsAdminPorts = SegmentRoutePorts;

/** One field's problem as a 400 lists it. */
interface FieldProblem {
  field: string;
  message: string;
  suggestion?: string;
}

function badRequest(problems: FieldProblem[]): ClientError {
  const first = problems[0] ?? { field: 'body', message: 'invalid' };
  return new ClientError(400, `${first.field}: ${first.message}`, { field: first.field, problems });
}

const problemOf = (i: SegmentIssue, field = i.path || 'body', message = i.message): FieldProblem => ({ field, message, ...(i.suggestion ? { suggestion: i.suggestion } : {}) });

function jsonObject(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text || 'null');
  } catch {
    throw new BadRequestError('body', 'not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequestError('body', 'a JSON object: a segment definition { id, name, conditions }');
  return raw as Record<string, unknown>;
}

/** The body as a segment definition, every problem naming its field. */
function segmentOf(doc: unknown): Segment {
  try {
    return validateSegment(doc, 'segment');
  } catch (err) {
    if (err instanceof SegmentError) throw badRequest(err.issues.map((i) => problemOf(i)));
    throw err;
  }
}

/**
 * The set's problems once `segment` replaces (or joins) the stored ones, as fields of `segment`: a problem
 * found on another segment (a cycle closing there) is blamed on the reference of `segment` that leads to it.
 */
export function setProblems(segment: Segment, stored: readonly Segment[]): FieldProblem[] {
  const set = [segment, ...stored.filter((s) => s.id !== segment.id)];
  const byId = new Map(set.map((s) => [s.id, s]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const s = byId.get(from);
    return !!s && referencesOf(s).some((r) => reaches(r.id, to, seen));
  };
  return checkSegmentSet(set).map((i: SegmentSetIssue) => {
    if (i.segment === segment.id) return problemOf(i);
    const via = referencesOf(segment).find((r) => reaches(r.id, i.segment));
    return problemOf(i, via?.path ?? 'conditions', `${i.message} (at segment "${i.segment}"${i.path ? ` ${i.path}` : ''})`);
  });
}

const answerOf = (s: StoredSegment) => ({ ...s.segment, version: s.version, ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}) });
const same = (a: Segment, b: Segment) => JSON.stringify(a) === JSON.stringify(b);

function idParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (id.length > segmentLimits.maxIdChars || !segmentIdRe.test(id)) throw new BadRequestError('id', `a segment id: lower-case letters, digits and dashes, at most ${segmentLimits.maxIdChars} characters`);
  return id;
}

async function checkedAgainstSet(segments: SegmentStore, segment: Segment): Promise<void> {
  const problems = setProblems(segment, (await segments.list()).map((s) => s.segment));
  if (problems.length > 0) throw badRequest(problems);
}

const conditionJson: JsonSchema = {
  type: 'object',
  description:
    'The scenario condition language: `{field, equals|notEquals|in|notIn|gt|gte|lt|lte|exists|contains}` (fields as scenario conditions, plus `lifecycle` and `consent`), ' +
    '`{did: <event>, within: <duration>, path?, atLeast?, atMost?}`, `{segment: <id>}` (membership of another segment), or `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.',
};
const segmentJson: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: segmentIdRe.source, maxLength: segmentLimits.maxIdChars },
    name: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    conditions: { type: 'array', minItems: 1, items: conditionJson, description: 'All of these hold for a member' },
  },
  required: ['id', 'name', 'conditions'],
};
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
    doc: { summary: 'One segment definition with its version', tags, responses: { '200': { description: 'The definition', schema: storedJson }, ...adminErrorResponses } },
    async handle(req, { segments }) {
      const id = idParam(req.params);
      const found = await segments.get(id);
      if (!found) throw new NotFoundError(`segment ${id} not found`);
      return json(200, answerOf(found));
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

/** Every route of segments. */
export const segmentsRoutes = [...segmentRoutes];
