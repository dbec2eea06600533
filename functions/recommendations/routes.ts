/**
 * HTTP routes of recommendations serving, with their OpenAPI documentation: `GET /v1/recommendations`
 * and `GET /v1/personalize`. Public like ingest's: the write key (Basic auth, or `writeKey` in the query
 * so a browser's GET stays CORS-simple), CORS from the site allow-list, cacheable answers with an ETag.
 */
import * as z from 'zod/mini';
import { requireWriteKey } from '../ingest/domain/write-key.js';
import { BadRequestError } from '../shared/errors.js';
import { type HttpRequest, type HttpResult, json, parseQuery, routesOf } from '../shared/http.js';
import { clientErrorSchema, type RouteDoc } from '../shared/route-docs.js';
import { maxInterests } from './domain/personalize.js';
import { cacheControlOf, etagOf, notModified, recommendationQuerySchema, servingLimits } from './domain/serving.js';
import { recommendationLimits } from './domain/model.js';
import { personalizeVisitor, recommend, type ServingPorts } from './serving.js';

/** What the recommend function wires at module load. */
export interface RecommendPorts extends ServingPorts {
  writeKeys: ReadonlySet<string>;
}

const personalizeQuerySchema = z.object({
  anonymousId: z.optional(recommendationQuerySchema.shape.anonymousId),
  userId: z.optional(recommendationQuerySchema.shape.userId),
  writeKey: recommendationQuerySchema.shape.writeKey,
});

const errors: RouteDoc['responses'] = {
  '304': { description: 'Not modified: the `If-None-Match` ETag still holds' },
  '400': { description: 'A bad parameter; `field` names it (ids at most their limit, no control characters)', schema: clientErrorSchema },
  '401': { description: 'Missing or unknown write key', schema: clientErrorSchema },
  '403': { description: 'Browser origin not allowed', schema: clientErrorSchema },
};

const itemSchema = {
  type: 'object',
  properties: {
    productId: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string' },
    image: { type: 'string' },
    price: { type: 'number' },
    currency: { type: 'string' },
    category: { type: 'string' },
  },
  required: ['productId', 'name'],
};

/** The answer as JSON with its cache headers, or 304 when the client's ETag still holds. */
function cacheable(req: HttpRequest, body: unknown, cacheControl: string): HttpResult {
  const text = JSON.stringify(body);
  const etag = etagOf(text);
  const headers = { 'cache-control': cacheControl, etag };
  if (notModified(req.headers['if-none-match'], etag)) return { statusCode: 304, headers, body: '' };
  return { ...json(200, body, headers), body: text };
}

export const recommendRoutes = routesOf<RecommendPorts>('recommend', [
  {
    method: 'GET',
    path: '/v1/recommendations',
    cors: true,
    doc: {
      summary: 'Recommended products for a page',
      description:
        'Strategies: `bought-together` and `viewed-together` (need `productId`), `for-you` (needs `anonymousId` or `userId`: ' +
        "the person's recent `Product Viewed` / `Order Completed` products blended from their neighbours, never what they bought), " +
        '`popular` (optional `category`). Default: bought-together with a productId, else for-you with a person, else popular. ' +
        "An empty list falls back to popular (the product's category, then all) and says `fallback: \"popular\"`; unavailable products are never answered. " +
        `\`limit\` 1-${recommendationLimits.topK} (default ${servingLimits.defaultLimit}). ` +
        'A stable share of visitors (hash of anonymousId; `nurture:recommendationControlShare`, default 0.1) gets the popular list as the control: `variant`. ' +
        '`recId` goes back with the `Recommendation Viewed` / `Recommendation Clicked` events. ' +
        'Cache-Control `public, max-age=300` (product strategies) or `private, max-age=60` (for-you), with an ETag.',
      tags: ['recommendations'],
      query: recommendationQuerySchema,
      responses: {
        '200': {
          description: 'The recommendations',
          schema: {
            type: 'object',
            properties: {
              strategy: { enum: ['bought-together', 'viewed-together', 'for-you', 'popular'] },
              variant: { enum: ['control', 'model'] },
              recId: { type: 'string' },
              items: { type: 'array', items: itemSchema },
              fallback: { const: 'popular' },
            },
            required: ['strategy', 'variant', 'recId', 'items'],
          },
        },
        ...errors,
      },
    },
    async handle(req, ports) {
      requireWriteKey(req.headers.authorization, req.query.writeKey, ports.writeKeys);
      const q = parseQuery(recommendationQuerySchema, req);
      const answer = await recommend(q, ports);
      return cacheable(req, answer, cacheControlOf(answer.strategy));
    },
  },
  {
    method: 'GET',
    path: '/v1/personalize',
    cors: true,
    doc: {
      summary: 'What a page may know about its visitor',
      description:
        `\`known\`, \`stage\`, the top ${maxInterests} interest categories by category score, and the ids of the segments flagged \`public: true\` ` +
        '(segment definitions, default false) that the visitor is in. Never email, name, traits or score. ' +
        'An unknown visitor is `{known:false, stage:"anonymous", interests:[], segments:[]}` (200). Cache-Control `private, max-age=60`, with an ETag.',
      tags: ['recommendations'],
      query: personalizeQuerySchema,
      responses: {
        '200': {
          description: 'The safe view of the visitor',
          schema: {
            type: 'object',
            properties: {
              known: { type: 'boolean' },
              stage: { enum: ['anonymous', 'known', 'mql', 'sql', 'customer', 'dormant'] },
              interests: { type: 'array', items: { type: 'string' } },
              segments: { type: 'array', items: { type: 'string' } },
            },
            required: ['known', 'stage', 'interests', 'segments'],
            additionalProperties: false,
          },
        },
        ...errors,
      },
    },
    async handle(req, ports) {
      requireWriteKey(req.headers.authorization, req.query.writeKey, ports.writeKeys);
      const q = parseQuery(personalizeQuerySchema, req);
      if (!q.anonymousId && !q.userId) throw new BadRequestError('anonymousId', 'anonymousId (or userId) is required');
      const who = { ...(q.anonymousId ? { anonymousId: q.anonymousId } : {}), ...(q.userId ? { userId: q.userId } : {}) };
      return cacheable(req, await personalizeVisitor(who, ports.reads), 'private, max-age=60');
    },
  },
]);

/** Every route of recommendations serving. */
export const recommendationsRoutes = [...recommendRoutes];
