/**
 * HTTP routes of segment membership, with their OpenAPI documentation, served by segmentsAdmin: a
 * segment's members page by page (`/v1/admin/segments/{id}/members`) and the preview of a draft
 * definition (`/v1/admin/segments/preview`). Both only read.
 */
import * as z from 'zod/mini';
import { BadRequestError, NotFoundError } from '../shared/errors.js';
import { bodyText, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, type JsonSchema } from '../shared/route-docs.js';
import type { SegmentStore } from './adapters/definition-store.js';
import { anonymousRankMinPoints } from '../profiles/domain/profile.js';
import {
  BadCursorError,
  decodeListCursor,
  enteredPage,
  allMembers,
  type MemberShardReader,
  memberListLimits,
  type MemberSort,
  memberSorts,
  scorePage,
} from './domain/member-list.js';
import { summaryAttributes, summaryOf } from './domain/member-summary.js';
import type { MembershipReader } from './domain/membership.js';
import { type ProfileBatchReader, previewLimits, previewSegment, type RankedWalk } from './domain/preview.js';
import { checkedAgainstSet, idParam, jsonObject, segmentJson, segmentOf } from './route-helpers.js';

export interface MemberRoutePorts {
  segments: SegmentStore;
  membership: Pick<MembershipReader, 'count' | 'page'>;
  /** Member shards read from a position (adapters/member-shards.ts). */
  shards: MemberShardReader;
  /** Profile items by id and the ranking index walk (adapters/profile-batch.ts). */
  profiles: ProfileBatchReader & RankedWalk;
  now(): Date;
}

export const membersQuery = z.object({
  sort: z.optional(z.enum(memberSorts)),
  limit: z.optional(z.string().check(z.regex(/^\d+$/, 'a whole number'))),
  cursor: z.optional(z.string()),
});

const summaryJson: JsonSchema = {
  type: 'object',
  properties: {
    profileId: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    company: { type: 'string' },
    score: { type: 'number', description: 'Behaviour plus fit points as of the person\'s last update (`scoreAsOf`), not decayed to now' },
    scoreAsOf: { type: 'string' },
    stage: { type: 'string' },
    lifecycle: { type: 'string' },
    enteredAt: { type: 'string', description: 'When the person entered the segment' },
  },
  required: ['profileId'],
};
const tags = ['admin', 'segments'];
const L = memberListLimits;

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return L.defaultLimit;
  const n = Number(raw);
  if (!(n >= 1 && n <= L.maxLimit)) throw new BadRequestError('limit', `from 1 to ${L.maxLimit} members a page`);
  return n;
}

/**
 * One page of a segment's members with their summaries (the route, and `nurture segments members`):
 * `query` as the route takes it (sort, limit, cursor); a bad one is a 400 naming it, an unknown segment 404.
 */
export async function listMembers(id: string, query: Record<string, string>, ports: Omit<MemberRoutePorts, 'now'>) {
  const { segments, membership, shards, profiles } = ports;
  const q = parseQuery(membersQuery, { query });
  const sort: MemberSort = q.sort ?? 'score';
  const limit = limitOf(q.limit);
  let position;
  try {
    position = q.cursor === undefined ? undefined : decodeListCursor(q.cursor, sort);
  } catch (err) {
    if (err instanceof BadCursorError) throw new BadRequestError('cursor', `${err.message}: send back the cursor a page answered, with the same sort`);
    throw err;
  }
  if (!(await segments.get(id))) throw new NotFoundError(`segment ${id} not found`);
  const count = await membership.count(id);
  let page;
  if (sort === 'score') page = await scorePage(id, shards, limit, position?.sort === 'score' ? position.shards : undefined);
  else {
    if (count > L.maxSortedByEntry) throw new BadRequestError('sort', `sort=entered lists segments of at most ${L.maxSortedByEntry} members (this one has ${count}): use sort=score`);
    page = enteredPage(await allMembers(id, membership), limit, position?.sort === 'entered' ? position.after : undefined);
  }
  const items = await profiles.read(page.members.map((m) => m.profileId), summaryAttributes);
  const members = page.members.map((m) => summaryOf(m.profileId, items.get(m.profileId), m.enteredAt));
  return { segmentId: id, sort, count, members, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

export const memberRoutes = routesOf<MemberRoutePorts>('segmentsAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/segments/{id}/members',
    auth: 'admin',
    doc: {
      summary: "A page of a segment's members, each with a profile summary",
      description:
        `\`sort=score\` (default): ranked members first, by their ranking key, highest first (decayed behaviour points, as the hot leads list ranks them; the \`bySegmentRank\` index of each of the 16 member shards, merged), then members not in the ranking index (anonymous visitors below ${anonymousRankMinPoints} points) by id. ` +
        `\`sort=entered\`: newest entry first, for segments of at most ${L.maxSortedByEntry} members (every page reads them all). ` +
        `\`limit\`: 1 to ${L.maxLimit} (default ${L.defaultLimit}). Send \`cursor\` back for the next page; no \`cursor\` in the answer: the list is done. ` +
        'A page may hold fewer than `limit` members and still have a cursor (a shard read past many ranked members looking for unranked ones). ' +
        'Paging to the end lists every member present throughout exactly once; members who enter or leave meanwhile may or may not appear.',
      tags,
      query: membersQuery,
      responses: {
        '200': {
          description: 'The page',
          schema: {
            type: 'object',
            properties: { segmentId: { type: 'string' }, sort: { type: 'string' }, count: { type: 'integer', description: 'Members now (the shard counters)' }, members: { type: 'array', items: summaryJson }, cursor: { type: 'string' } },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      return json(200, await listMembers(idParam(req.params), req.query, ports));
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/segments/preview',
    auth: 'admin',
    doc: {
      summary: 'Preview a draft segment: how many people it holds now, and a sample of them',
      description:
        'The body is a segment definition, checked as POST /v1/admin/segments checks it (every problem named; references resolve against the stored segments; an id that is stored previews the draft in its place). Nothing is stored. ' +
        `Every profile of the ranking index is evaluated as the stream processor would, at most ${previewLimits.maxProfiles} and for at most ${previewLimits.maxMillis / 1000} s: beyond that \`exact\` is false and \`count\` is the members found among the \`evaluated\`. ` +
        `Anonymous visitors below ${anonymousRankMinPoints} points are not in the ranking index, so not previewed; a behaviour condition (\`did\`) no stored segment tracks yet finds no events (windows are kept from a condition's deployment on).`,
      tags,
      body: segmentJson,
      bodyTypes: ['application/json'],
      responses: {
        '200': {
          description: 'The preview',
          schema: {
            type: 'object',
            properties: {
              segmentId: { type: 'string' },
              count: { type: 'integer' },
              exact: { type: 'boolean' },
              evaluated: { type: 'integer' },
              sample: { type: 'array', maxItems: previewLimits.sample, items: summaryJson },
            },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, { segments, profiles, now }) {
      const draft = segmentOf(jsonObject(bodyText(req.event)));
      const stored = await checkedAgainstSet(segments, draft);
      const result = await previewSegment(draft, stored, profiles, now());
      return json(200, { segmentId: draft.id, ...result, limits: previewLimits });
    },
  },
]);
