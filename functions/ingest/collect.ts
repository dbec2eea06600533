import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { DynamoLinkStore } from '../identity/adapters/dynamo-link-store.js';
import { identify } from '../identity/domain/identify.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { cors } from '../shared/cors.js';
import { commaList, parseEnv, required } from '../shared/env.js';
import { bodyBytes, bodyText, headersOf, httpErrors, json } from '../shared/http.js';
import { KinesisSink } from './adapters/kinesis-sink.js';
import { type IngestPorts, type IngestRequest, ingest } from './domain/ingest.js';
import { pixelRequest, transparentGif } from './domain/pixel.js';
import { messageTypes } from './domain/schema.js';
import { MetricUnit, observability } from '../shared/observability.js';

const env = parseEnv(
  z.object({
    TABLE_NAME: required(),
    EVENTS_STREAM_NAME: required(),
    WRITE_KEYS: commaList(),
    ALLOWED_ORIGINS: commaList(),
  }),
);

/** Traffic counters are published at most this often per warm environment (failures at once). */
export const metricsFlushMs = 60_000;
const { logger, metrics, middlewares, flushNow } = observability('collect', { flushEveryMs: metricsFlushMs });
const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);
const links = new DynamoLinkStore(documentClient(), env.TABLE_NAME);
const ports: IngestPorts = {
  putEvents: (events) => sink.put(events),
  identify: (call) => identify(call, links),
  writeKeys: new Set(env.WRITE_KEYS),
};

/** Segment HTTP Tracking API (POST /v1/{batch,track,page,screen,identify,alias,group}) and the GIF pixel. */
async function collect(event: APIGatewayProxyEventV2) {
  const headers = headersOf(event);
  const base = {
    receivedAt: new Date(),
    ...(event.requestContext?.http?.sourceIp ? { sourceIp: event.requestContext.http.sourceIp } : {}),
  };
  if (event.rawPath.endsWith('/pixel.gif')) {
    // Only the pixel is fetched by the visitor's own client (browser or mail app), so only there does the
    // HTTP User-Agent describe the visitor; API calls carry it in context.userAgent (server SDKs don't).
    const userAgent = headers['user-agent'];
    await pixel(pixelRequest(event.queryStringParameters ?? {}, { ...base, ...(userAgent ? { userAgent } : {}) }));
    return transparentGif();
  }
  const result = await ingestCounted(
    {
      ...base,
      kind: kindOf(event.rawPath),
      body: bodyText(event),
      bodyBytes: bodyBytes(event),
      ...(headers.authorization ? { authorization: headers.authorization } : {}),
    },
    ports,
  );
  return json(200, { success: true, ...(result.rejected.length > 0 ? { rejected: result.rejected } : {}) });
}

/** The pixel always answers a GIF; a bad or unauthorized payload is logged and counted, never stored. */
async function pixel(request: IngestRequest | Error) {
  try {
    if (request instanceof Error) throw request;
    await ingestCounted(request, ports);
  } catch (err) {
    metrics.addMetric('PixelRejected', MetricUnit.Count, 1);
    logger.warn('pixel rejected', { error: String(err) });
  }
}

/** ingest() with its outcome counted: accepted events, rejected messages, refused requests. */
async function ingestCounted(request: IngestRequest, p: IngestPorts) {
  try {
    const result = await ingest(request, p);
    metrics.addMetric('EventsAccepted', MetricUnit.Count, result.accepted);
    if (result.rejected.length > 0) metrics.addMetric('MessagesRejected', MetricUnit.Count, result.rejected.length);
    return result;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    metrics.addMetric(status === 503 ? 'StoreFailures' : 'RequestsRejected', MetricUnit.Count, 1);
    if (status === 503) flushNow();
    throw err;
  }
}

function kindOf(path: string): IngestRequest['kind'] {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return (messageTypes as readonly string[]).includes(last) ? (last as IngestRequest['kind']) : 'batch';
}

export const handler = middy(collect)
  .use(middlewares)
  .use(cors(env.ALLOWED_ORIGINS))
  .use(httpErrors({ log: (entry) => logger.error(String(entry.message), entry) }));
