/**
 * Routes of the media registry: GET/PUT /v1/admin/channels (the operator's media and the defaults) and
 * GET /v1/admin/channels/classify (which medium a touch is, under the registry in force).
 *
 * PUT replaces the operator's whole document if the stored one is still the `version` the client read
 * (optimistic concurrency: two editors cannot overwrite each other unseen). A replayed PUT (the same
 * document at the same version, whose answer was lost) answers as the first did.
 */
import * as z from 'zod/mini';
import { BadRequestError, ClientError } from '../shared/errors.js';
import { bodyText, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import { checkSchema } from '../shared/validation.js';
import type { RegistryReader } from './domain/ports.js';
import {
  channelGroups,
  classify,
  clickIdTypes,
  defaultMedia,
  effectiveMedia,
  type RegistryDoc,
  registryDocSchema,
  registryLimits,
} from './domain/registry.js';

export interface RegistryRoutePorts {
  registry: RegistryReader & {
    /** The stored document with its version (0 and no media when none was stored). */
    stored(): Promise<{ doc: RegistryDoc; version: number; updatedAt?: string }>;
    /** Stores the document if the stored one is still `expectedVersion` (0: none yet); false when it moved. */
    putRegistry(doc: RegistryDoc, expectedVersion: number, now?: Date): Promise<boolean>;
  };
  now(): Date;
}

/** Longest value of a classify query parameter (the lake keeps utm values and domains up to 256 characters). */
export const maxClassifyValueChars = 256;

const value = z.optional(z.string().check(z.maxLength(maxClassifyValueChars)));
export const classifyQuery = z.object({
  source: value,
  medium: value,
  campaign: value,
  referrer: value,
  clickId: z.optional(z.enum(clickIdTypes)),
});

/** The PUT body: the version read, and the operator's media (registryDocSchema). */
const putShape = z.object({ version: z.int().check(z.minimum(0)) });

/** `l.facebook.com` from `https://www.l.facebook.com/x` or `www.l.facebook.com`: the host, lower case, without `www.`. */
export function referrerDomainOf(referrer: string): string {
  const text = referrer.trim().toLowerCase();
  let host = text;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) host = new URL(text).hostname;
  } catch {
    host = text;
  }
  host = host.split(/[/?#]/)[0] ?? '';
  return host.startsWith('www.') ? host.slice(4) : host;
}

const mediumJson: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
    name: { type: 'string', maxLength: registryLimits.maxNameChars },
    group: { enum: [...channelGroups] },
    match: {
      type: 'array',
      maxItems: registryLimits.maxAlternatives,
      description: 'Alternatives (OR); within one, every named field must match (AND); within a field, any pattern (OR). Patterns: case-insensitive globs, `*` any characters; referrer patterns match subdomains too.',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          source: { type: 'array', items: { type: 'string' }, maxItems: registryLimits.maxPatterns },
          medium: { type: 'array', items: { type: 'string' }, maxItems: registryLimits.maxPatterns },
          campaign: { type: 'array', items: { type: 'string' }, maxItems: registryLimits.maxPatterns },
          referrer: { type: 'array', items: { type: 'string' }, maxItems: registryLimits.maxPatterns },
          clickId: { type: 'array', items: { enum: [...clickIdTypes] } },
        },
      },
    },
  },
  required: ['id', 'name', 'group', 'match'],
};

const putBodyJson: JsonSchema = {
  type: 'object',
  properties: {
    version: { type: 'integer', minimum: 0, description: 'The version GET answered (0: nothing stored yet)' },
    media: { type: 'array', maxItems: registryLimits.maxMedia, items: mediumJson, description: 'Own media, tried in this order before the defaults; an own medium with a default id replaces that default' },
  },
  required: ['version', 'media'],
  additionalProperties: false,
};

const registryAnswer: JsonSchema = {
  type: 'object',
  properties: {
    version: { type: 'integer', description: 'Send it back with PUT' },
    updatedAt: { type: 'string' },
    media: { type: 'array', items: mediumJson, description: "The operator's own media" },
    defaults: { type: 'array', items: mediumJson, description: 'The default media (tried after the own ones)' },
    groups: { type: 'array', items: { type: 'string' } },
    clickIds: { type: 'array', items: { type: 'string' } },
    limits: { type: 'object' },
  },
  required: ['version', 'media', 'defaults', 'groups', 'clickIds', 'limits'],
};

const tags = ['admin', 'channels'];

/** The PUT body parsed: a JSON object with an integer version and a document registryDocSchema accepts. */
function parsePut(text: string): { version: number; doc: RegistryDoc } {
  let raw: unknown;
  try {
    raw = JSON.parse(text || 'null');
  } catch {
    throw new BadRequestError('body', 'not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequestError('body', 'a JSON object { version, media }');
  const { version: v, ...rest } = raw as Record<string, unknown>;
  const version = z.safeParse(putShape, { version: v });
  if (!version.success) throw new BadRequestError('version', v === undefined ? 'missing: the version GET answered (0 when none)' : 'an integer, 0 or more');
  const { data, problems } = checkSchema(registryDocSchema, rest);
  const first = problems[0];
  if (!data || first) {
    // Every problem, the first in `error`/`field` as every 400 has them.
    throw new ClientError(400, `${first?.field ?? 'body'}: ${first?.message ?? 'invalid'}`, {
      field: first?.field ?? 'body',
      problems: problems.map((p) => ({ field: p.field, message: p.message, ...(p.suggestion ? { suggestion: p.suggestion } : {}) })),
    });
  }
  return { version: version.data.version, doc: data };
}

/** What GET and PUT answer: the stored document and version, with what an editor needs beside it. */
function registryAnswerOf(s: { doc: RegistryDoc; version: number; updatedAt?: string }) {
  return {
    version: s.version,
    ...(s.updatedAt ? { updatedAt: s.updatedAt } : {}),
    media: s.doc.media,
    defaults: defaultMedia,
    groups: channelGroups,
    clickIds: clickIdTypes,
    limits: registryLimits,
  };
}

const sameDoc = (a: RegistryDoc, b: RegistryDoc) => JSON.stringify(a) === JSON.stringify(b);

export const registryRoutes = routesOf<RegistryRoutePorts>('channelsAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/channels',
    auth: 'admin',
    doc: {
      summary: 'The media registry: own media, the defaults, channel groups and click id types',
      description: `Media are tried in order: the own ones, then the defaults an own medium did not replace (by id). Limits: ${registryLimits.maxMedia} own media, ${registryLimits.maxAlternatives} alternatives each, ${registryLimits.maxPatterns} patterns a field, ${registryLimits.maxPatternChars} characters a pattern.`,
      tags,
      responses: { '200': { description: 'The registry', schema: registryAnswer }, ...adminErrorResponses },
    },
    async handle(_req, { registry }) {
      return json(200, registryAnswerOf(await registry.stored()));
    },
  },
  {
    method: 'PUT',
    path: '/v1/admin/channels',
    auth: 'admin',
    doc: {
      summary: "Replace the operator's own media",
      description:
        'Send the `version` GET answered. A bad field answers 400 naming it (`media[2].match[0].source[1]`) with every problem in `problems`; ' +
        'a version that is no longer the stored one answers 409 (read again, reapply, retry). Replaying the same document at the same version answers as the first time.',
      tags,
      body: putBodyJson,
      bodyTypes: ['application/json'],
      responses: {
        '200': { description: 'Stored', schema: registryAnswer },
        ...adminErrorResponses,
        '409': { description: 'The registry changed since `version` was read', schema: clientErrorSchema },
      },
    },
    async handle(req, { registry, now }) {
      const { version, doc } = parsePut(bodyText(req.event));
      const at = now();
      if (!(await registry.putRegistry(doc, version, at))) {
        const s = await registry.stored();
        // A retry of a PUT that was stored: the same document, one version on.
        if (!(s.version === version + 1 && sameDoc(s.doc, doc))) {
          throw new ClientError(409, `version: the registry is at version ${s.version}, not ${version}: read it again and reapply your change`, { field: 'version', version: s.version });
        }
        return json(200, registryAnswerOf(s));
      }
      return json(200, registryAnswerOf({ doc, version: version + 1, updatedAt: at.toISOString() }));
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/channels/classify',
    auth: 'admin',
    doc: {
      summary: 'Which medium and channel group a touch is, under the registry in force',
      description:
        `\`referrer\` is a domain or a URL (its host counts, without \`www.\`); \`clickId\` a click id type (${clickIdTypes.join(', ')}). Values up to ${maxClassifyValueChars} characters. ` +
        'No medium matching: a referrer is a `referral` medium named by its domain, UTM values alone an `other` medium named by utm_source, nothing at all `direct`.',
      tags,
      query: classifyQuery,
      responses: {
        '200': {
          description: 'The classification',
          schema: {
            type: 'object',
            properties: {
              medium: { type: 'string' },
              mediumName: { type: 'string' },
              group: { enum: [...channelGroups] },
              registered: { type: 'boolean', description: 'A registered medium matched' },
              touch: { type: 'object', description: 'The key classified (referrer as its domain)' },
            },
          },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, { registry }) {
      const q = parseQuery(classifyQuery, req);
      const touch = {
        ...(q.source ? { source: q.source } : {}),
        ...(q.medium ? { medium: q.medium } : {}),
        ...(q.campaign ? { campaign: q.campaign } : {}),
        ...(q.referrer && referrerDomainOf(q.referrer) ? { referrerDomain: referrerDomainOf(q.referrer) } : {}),
        ...(q.clickId ? { clickIdType: q.clickId } : {}),
      };
      return json(200, { ...classify(touch, effectiveMedia(await registry.registry())), touch });
    },
  },
]);
