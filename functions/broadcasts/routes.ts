/**
 * HTTP routes of segment email (broadcasts), with their OpenAPI documentation, served by the
 * broadcastsAdmin function: create and start, list, show (status, progress, results), pause, resume, cancel.
 */
import * as z from 'zod/mini';
import { BadRequestError } from '../shared/errors.js';
import { bodyText, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import { type BroadcastAdminPorts, broadcastIdRe, changeStatus, createBroadcast, listBroadcasts, showBroadcast } from './domain/admin.js';
import { broadcastLimits, createBroadcastSchema } from './domain/model.js';

export type BroadcastsAdminPorts = BroadcastAdminPorts;

/** Largest page GET /v1/admin/broadcasts answers. */
export const maxListPage = 100;

const tags = ['admin', 'broadcasts'];
const countsJson: JsonSchema = { type: 'object', additionalProperties: { type: 'integer' } };
const viewJson: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    segmentId: { type: 'string' },
    templateId: { type: 'string' },
    schedule: {},
    status: { enum: ['scheduled', 'running', 'paused', 'cancelled', 'done'] },
    startAt: { type: 'string' },
    ratePerSecond: { type: 'number' },
    progress: { type: 'object', properties: { shardsPaged: { type: 'integer' }, shardsDone: { type: 'integer' }, shards: { type: 'integer' }, members: { type: 'integer' }, fraction: { type: 'number' } } },
    results: {
      type: 'object',
      properties: {
        targeted: { type: 'integer' },
        sent: { type: 'integer' },
        skipped: { type: 'object', properties: { total: { type: 'integer' }, byReason: countsJson } },
        deferred: { type: 'integer', description: 'Waiting now for their time (quiet hours, a cap deferral, a local time not reached)' },
        deferrals: countsJson,
        opened: { type: 'integer' },
        clicked: { type: 'integer' },
        unsubscribed: { type: 'integer' },
        bounced: { type: 'integer' },
      },
    },
  },
};
const limitsNote =
  `Sends are paced to the configured SES rate (nurture:sesRatePerSecond), 1/16 of it per member shard; pause and cancel are seen at each shard's next page ` +
  `(at most ${broadcastLimits.pausePollSeconds} s while paused, ${broadcastLimits.maxWaitSeconds} s while waiting for deferred recipients). Schedules at most ${broadcastLimits.maxScheduleAheadDays} days ahead.`;
const conflict = { '409': { description: 'The broadcast is not in a status the action applies to', schema: clientErrorSchema } };

function idParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (!broadcastIdRe.test(id)) throw new BadRequestError('id', 'a broadcast id');
  return id;
}

function jsonBody(text: string): unknown {
  try {
    return JSON.parse(text || 'null');
  } catch {
    throw new BadRequestError('body', 'not valid JSON');
  }
}

const listQuery = z.object({
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d+$/, 'an integer')), z.transform(Number)).check(z.refine((n: number) => n >= 1 && n <= maxListPage, `1 to ${maxListPage}`))),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

const action = (name: 'pause' | 'resume' | 'cancel', summary: string, description: string) => ({
  method: 'POST' as const,
  path: `/v1/admin/broadcasts/{id}/${name}`,
  auth: 'admin' as const,
  doc: { summary, description, tags, responses: { '200': { description: 'The broadcast now', schema: viewJson }, ...adminErrorResponses, ...conflict } },
  async handle(req: { params: Record<string, string> }, ports: BroadcastAdminPorts) {
    return json(200, await changeStatus(idParam(req.params), name, ports));
  },
});

export const broadcastRoutes = routesOf<BroadcastAdminPorts>('broadcastsAdmin', [
  {
    method: 'POST',
    path: '/v1/admin/broadcasts',
    auth: 'admin',
    doc: {
      summary: 'Send a template to a segment (a broadcast), now or on a schedule',
      description:
        '`schedule`: `"now"` (default), `{"at": "2026-12-10T09:00:00+09:00"}`, or `{"localTime": "09:00", "date": "2026-12-10", "defaultTimeZone"?: "Asia/Tokyo"}` ' +
        '(09:00 in each recipient\'s time zone; recipients without one use `defaultTimeZone` or the configured default; where 09:00 has already passed, at once). ' +
        'Every recipient goes through the send function\'s checks (consent, suppression, caps: `capPolicy` skip (default) or defer, quiet hours defer) with one idempotency key per broadcast, so nobody gets it twice. ' +
        `Send an \`id\` of your own to make the request safe to repeat. ${limitsNote}`,
      tags,
      body: createBroadcastSchema,
      bodyTypes: ['application/json'],
      responses: { '201': { description: 'Created and started', schema: viewJson }, '200': { description: 'A repeat of a create with the same `id`', schema: viewJson }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const { created, broadcast } = await createBroadcast(jsonBody(bodyText(req.event)), ports);
      return json(created ? 201 : 200, broadcast);
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/broadcasts',
    auth: 'admin',
    doc: {
      summary: 'Broadcasts, newest first',
      description: `\`limit\` 1-${maxListPage} (default 20); \`cursor\` continues where the last page stopped. GET /v1/admin/broadcasts/{id} has progress and results.`,
      tags,
      query: listQuery,
      responses: { '200': { description: 'A page of broadcasts', schema: { type: 'object', properties: { broadcasts: { type: 'array', items: viewJson }, cursor: { type: 'string' } } } }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const q = parseQuery(listQuery, req);
      const page = await listBroadcasts(q.limit ?? 20, q.cursor, ports);
      return json(200, { broadcasts: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/broadcasts/{id}',
    auth: 'admin',
    doc: {
      summary: 'One broadcast: status, progress and results',
      description:
        'Results are exact: each shard commits its counts once per page, and opens, clicks, unsubscribes and bounces count a mail\'s first of each (a person\'s, not a scanner\'s). ' +
        '`deferred` recipients are waiting for their time and are sent when it comes.',
      tags,
      responses: { '200': { description: 'The broadcast', schema: viewJson }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      return json(200, await showBroadcast(idParam(req.params), ports));
    },
  },
  action('pause', 'Pause a running broadcast', 'Each shard stops at its next page and looks again every minute. Repeating it answers the same.'),
  action('resume', 'Resume a paused (or stalled) broadcast', 'Shards continue from their committed cursors; when the execution is no longer running (it failed or was stopped) a new one is started. Nobody is mailed twice.'),
  action('cancel', 'Cancel a broadcast', 'Each shard ends at its next page; mail already sent stays sent. Cannot be undone.'),
]);

/** Every route of broadcasts. */
export const broadcastsRoutes = [...broadcastRoutes];
