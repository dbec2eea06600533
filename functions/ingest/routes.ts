/**
 * HTTP routes of ingest, with their OpenAPI documentation: the Segment HTTP Tracking API
 * (`POST /v1/{batch,track,page,screen,identify,alias,group}`) and the GIF pixel.
 */
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { bodyBuffer, type HttpRequest, json, routesOf } from '../shared/http.js';
import { MetricUnit, type Observed } from '../shared/observability.js';
import { clientErrorSchema, type RouteDoc } from '../shared/route-docs.js';
import { decodeBody } from './domain/encoding.js';
import { type IngestPorts, type IngestRequest, ingest } from './domain/ingest.js';
import { limits } from './domain/limits.js';
import { pixelRequest, transparentGif } from './domain/pixel.js';
import { aliasSchema, batchSchema, groupSchema, identifySchema, type MessageType, pageSchema, screenSchema, trackSchema } from './domain/schema.js';
import { SinkUnavailableError } from './errors.js';

/** What the collect function wires at module load: the ingest ports and its metrics. */
export interface CollectPorts {
  ingest: IngestPorts;
  observed: Pick<Observed, 'logger' | 'metrics' | 'flushNow'>;
  now(): Date;
}

/** Segment HTTP Tracking API paths; every one accepts a single message (or `batch` for /v1/batch). */
export const segmentPaths = ['/v1/batch', '/v1/track', '/v1/page', '/v1/screen', '/v1/identify', '/v1/alias', '/v1/group'] as const;

const ok = { type: 'object', properties: { success: { const: true } }, required: ['success'] };
const ingestResponses: RouteDoc['responses'] = {
  '200': {
    description: 'Stored. For a batch, invalid messages are listed and the rest are stored.',
    schema: {
      ...ok,
      properties: {
        ...ok.properties,
        rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, field: { type: 'string' }, error: { type: 'string' } } } },
      },
    },
  },
  '400': {
    description: `Malformed body or no valid message; \`field\` names the bad field (for nesting deeper than ${limits.nestingDepth} levels below a message, the field where the limit was crossed)`,
    schema: clientErrorSchema,
  },
  '401': { description: 'Missing or unknown write key', schema: clientErrorSchema },
  '403': { description: 'Browser origin not allowed', schema: clientErrorSchema },
  '413': { description: 'Body over 500 KB (after decompression), or a single message over 32 KB; `limitBytes` says which', schema: clientErrorSchema },
  '415': { description: 'Content-Encoding other than gzip, deflate or identity; `field` is `content-encoding`', schema: clientErrorSchema },
  '503': { description: 'Events could not be stored durably; retry (messageId makes it safe)', schema: clientErrorSchema },
};

/** What every Segment path accepts beyond its schema: compressed bodies and the nesting limit. */
const bodyRules =
  `Bodies may be sent with \`Content-Encoding: gzip\` or \`deflate\` (at most 500 KB once decompressed). ` +
  `Objects and arrays may nest at most ${limits.nestingDepth} levels below a message (\`properties.a\` is level 2); ` +
  'a deeper message is refused with `field` naming where the limit was crossed.';

const single = (summary: string, schema: core.$ZodType): RouteDoc => ({
  summary,
  description: `Segment HTTP Tracking API. The message type is taken from the path. ${bodyRules}`,
  tags: ['ingest'],
  body: schema,
  responses: ingestResponses,
});

const docs: Record<(typeof segmentPaths)[number], RouteDoc> = {
  '/v1/batch': {
    summary: 'Send a batch of messages',
    description: `Segment HTTP Tracking API batch; each message carries its \`type\`. Invalid messages (a message nested too deep among them) are listed in \`rejected\`, the rest stored. ${bodyRules}`,
    tags: ['ingest'],
    body: batchSchema,
    responses: ingestResponses,
  },
  '/v1/track': single('Record an action', trackSchema),
  '/v1/page': single('Record a page view', pageSchema),
  '/v1/screen': single('Record an app screen view', screenSchema),
  '/v1/identify': single('Tie a visitor to a known identity and traits', identifySchema),
  '/v1/alias': single('Link an earlier id to a user id', aliasSchema),
  '/v1/group': single('Associate a visitor with a group (company)', groupSchema),
};

function requestBase(req: HttpRequest, now: Date) {
  const sourceIp = req.event.requestContext?.http?.sourceIp;
  return { receivedAt: now, ...(sourceIp ? { sourceIp } : {}) };
}

/** ingest() with its outcome counted: accepted events, rejected messages, refused requests. */
async function ingestCounted(request: () => IngestRequest, { ingest: ports, observed }: CollectPorts) {
  try {
    const result = await ingest(request(), ports);
    observed.metrics.addMetric('EventsAccepted', MetricUnit.Count, result.accepted);
    if (result.rejected.length > 0) observed.metrics.addMetric('MessagesRejected', MetricUnit.Count, result.rejected.length);
    return result;
  } catch (err) {
    const unavailable = err instanceof SinkUnavailableError;
    observed.metrics.addMetric(unavailable ? 'StoreFailures' : 'RequestsRejected', MetricUnit.Count, 1);
    // StoreFailures has an alarm: publish it now rather than with the next batch of traffic counters.
    if (unavailable) observed.flushNow();
    throw err;
  }
}

export const collectRoutes = routesOf<CollectPorts>('collect', [
  ...segmentPaths.map((path) => ({
    method: 'POST' as const,
    path,
    cors: true,
    doc: docs[path],
    async handle(req: HttpRequest, ports: CollectPorts) {
      const kind = path.slice('/v1/'.length) as 'batch' | MessageType;
      const { authorization } = req.headers;
      const result = await ingestCounted(() => {
        const body = decodeBody(bodyBuffer(req.event), req.headers['content-encoding']);
        return { ...requestBase(req, ports.now()), kind, body: body.text, bodyBytes: body.bytes, ...(authorization ? { authorization } : {}) };
      }, ports);
      return json(200, { success: true, ...(result.rejected.length > 0 ? { rejected: result.rejected } : {}) });
    },
  })),
  {
    method: 'GET',
    path: '/v1/pixel.gif',
    doc: {
      summary: 'Tracking pixel',
      description: 'For pages without script and email clients. Always answers a 1×1 GIF; bad data is counted and logged, never stored.',
      tags: ['ingest'],
      query: z.object({ data: z.string(), writeKey: z.optional(z.string()) }),
      responses: { '200': { description: 'A 1×1 transparent GIF', contentType: 'image/gif' } },
    },
    /** The pixel always answers a GIF; a bad or unauthorized payload is logged and counted, never stored. */
    async handle(req, ports) {
      // Only the pixel is fetched by the visitor's own client (browser or mail app), so only here does the
      // HTTP User-Agent describe the visitor; API calls carry it in context.userAgent (server SDKs don't).
      const userAgent = req.headers['user-agent'];
      const request = pixelRequest(req.query, { ...requestBase(req, ports.now()), ...(userAgent ? { userAgent } : {}) });
      try {
        if (request instanceof Error) throw request;
        await ingestCounted(() => request, ports);
      } catch (err) {
        ports.observed.metrics.addMetric('PixelRejected', MetricUnit.Count, 1);
        ports.observed.logger.warn('pixel rejected', { error: String(err) });
      }
      return transparentGif();
    },
  },
]);

/** Every route of ingest. */
export const ingestRoutes = [...collectRoutes];
