import { GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { rankShards } from '../scoring/adapters/profile-store.js';
import { defaultRulesFromEnv, RulesSource } from '../scoring/adapters/rules-source.js';
import { decayFactor, scoreFromRankKey } from '../scoring/domain/decay.js';
import type { ActivityEntry, ScoringState } from '../scoring/domain/state.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { ClientError } from '../shared/errors.js';
import { parseEnv, required } from '../shared/env.js';
import { httpErrors, json } from '../shared/http.js';
import { observability } from '../shared/observability.js';
import { mainTable } from '../shared/resources.js';
import { DynamoLinkStore } from './adapters/dynamo-link-store.js';
import { anonymousProfileId, type IdentityKey, normalizeEmail } from './domain/keys.js';
import { leadsQuery } from './domain/admin-schemas.js';
import { profilePk, profileSk } from './domain/profile.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
const { logger, middlewares } = observability('adminProfiles');
const doc = documentClient();
const links = new DynamoLinkStore(doc, env.TABLE_NAME);
const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);

/** Page sizes of the admin API. */
export const maxLeads = 200;
export const activityPageSize = 50;
/**
 * The ranking index orders by engagement (decayed behaviour points); the list is ordered by total score
 * (plus fit points) among this many times the requested number of most engaged leads per partition.
 */
export const leadsOverfetch = 3;

class NotFoundError extends ClientError {
  override name = 'NotFoundError';
  constructor(what: string) {
    super(404, `${what} not found`, { field: 'id' });
  }
}

/** `p_…` is a profile id; `email:…`, `user:…`, `anon:…` look the profile up by identity. */
async function resolveId(id: string): Promise<string> {
  const m = /^(email|user|anon):(.+)$/.exec(id);
  if (!m) return id;
  const value = m[1] === 'email' ? normalizeEmail(m[2]) : m[2];
  if (!value) throw new ClientError(400, 'not a valid email address', { field: 'id' });
  const key: IdentityKey = { kind: m[1] as IdentityKey['kind'], value };
  const link = (await links.get([key])).get(`${key.kind}:${key.value}`);
  if (link) return link.profileId;
  // An anonymous visitor who never identified has the profile derived from its id.
  if (key.kind === 'anon') return anonymousProfileId(key.value);
  throw new NotFoundError(`identity ${id}`);
}

async function getProfile(profileId: string): Promise<ScoringState & { mergedInto?: string }> {
  for (let hop = 0; hop < 5; hop++) {
    const res = await doc.send(new GetCommand({ TableName: env.TABLE_NAME, Key: { pk: profilePk(profileId), sk: profileSk } }));
    if (!res.Item) throw new NotFoundError(`profile ${profileId}`);
    if (!res.Item.mergedInto) return res.Item as ScoringState;
    profileId = String(res.Item.mergedInto);
  }
  throw new NotFoundError(`profile ${profileId} (merge chain too long)`);
}

const round = (n: number) => Math.round(n * 100) / 100;

async function profileView(event: APIGatewayProxyEventV2) {
  const profileId = await resolveId(decodeURIComponent(event.pathParameters?.id ?? ''));
  const p = await getProfile(profileId);
  const doc_ = await rules.current();
  const now = new Date().toISOString();
  const f = decayFactor(p.score.asOf, now, doc_.halfLifeDays);
  const behaviour = p.score.value * f;
  const descriptions = new Map(doc_.rules.map((r) => [r.id, r.description]));
  const byRule = [
    ...Object.entries(p.score.rules).map(([ruleId, v]) => ({ ruleId, kind: 'behaviour', points: round(v * f) })),
    ...Object.entries(p.score.fitRules).map(([ruleId, v]) => ({ ruleId, kind: 'fit', points: v })),
  ]
    .map((r) => ({ ...r, ...(descriptions.get(r.ruleId) ? { description: descriptions.get(r.ruleId) } : {}) }))
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points));

  // Activity: the item's recent entries, then archive items of this profile and those merged into it.
  const cursor = event.queryStringParameters?.before;
  let activity: ActivityEntry[] = [...p.recent];
  for (const id of [p.profileId, ...p.merged]) {
    const res: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: env.TABLE_NAME,
        KeyConditionExpression: cursor ? 'pk = :pk AND sk BETWEEN :lo AND :hi' : 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: cursor ? { ':pk': profilePk(id), ':lo': 'a#', ':hi': `a#${cursor}` } : { ':pk': profilePk(id), ':a': 'a#' },
        ScanIndexForward: false,
        Limit: 3,
      }),
    );
    for (const item of res.Items ?? []) activity.push(...(item.entries as ActivityEntry[]));
  }
  activity = activity
    .filter((a) => !cursor || a.t < cursor)
    .sort((a, b) => (a.t < b.t ? 1 : -1))
    .slice(0, activityPageSize);
  const last = activity.at(-1);
  return json(200, {
    profile: {
      profileId: p.profileId,
      known: p.known,
      stage: p.stage,
      ...(p.email ? { email: p.email } : {}),
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.timezone ? { timezone: p.timezone } : {}),
      traits: p.traits,
      createdAt: p.createdAt,
      lastSeenAt: p.lastSeenAt,
    },
    identities: {
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.email ? { email: p.email } : {}),
      anonymousIds: p.anonymousIds ?? [],
      mergedProfiles: p.merged,
    },
    score: {
      total: round(behaviour + p.score.fit),
      behaviour: round(behaviour),
      fit: p.score.fit,
      asOf: now,
      halfLifeDays: doc_.halfLifeDays ?? null,
      byCategory: Object.fromEntries(Object.entries(p.score.categories).map(([k, v]) => [k, round(v * f)])),
      byRule,
    },
    activity,
    ...(activity.length === activityPageSize && last ? { next: `?before=${encodeURIComponent(last.t)}` } : {}),
  });
}

/** Hot leads, best first, from the ranking index: a few small queries, never a scan. */
async function leads(event: APIGatewayProxyEventV2) {
  const parsed = z.safeParse(leadsQuery, event.queryStringParameters ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ClientError(400, issue.message, { field: String(issue.path[0] ?? 'query') });
  }
  const q = parsed.data;
  const limit = Math.min(q.limit ?? 50, maxLeads);
  if (limit < 1) throw new ClientError(400, 'limit must be at least 1', { field: 'limit' });
  const wanted = q.stage ? [q.stage] : ['known', 'mql', 'sql', 'customer', ...(q.includeAnonymous === 'true' ? ['anonymous'] : [])];
  const doc_ = await rules.current();
  const now = new Date().toISOString();
  const pages = await Promise.all(
    wanted.flatMap((stage) =>
      Array.from({ length: rankShards }, (_, shard) =>
        doc.send(
          new QueryCommand({
            TableName: env.TABLE_NAME,
            IndexName: mainTable.indexes[0]!.name,
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `rank#${stage}#${shard}` },
            ScanIndexForward: false,
            // The index orders by engagement; fetching more than asked lets fit points reorder the page.
            Limit: limit * leadsOverfetch,
          }),
        ),
      ),
    ),
  );
  const rows = pages
    .flatMap((p) => p.Items ?? [])
    .map((item) => {
      // Index entries hold only the projected attributes (resources.ts `include`).
      const behaviour = scoreFromRankKey(Number(item.gsi1sk), now, doc_.halfLifeDays);
      const fit = Number(item.fitPoints ?? 0);
      return {
        profileId: String(item.profileId),
        stage: String(item.stage),
        score: round(behaviour + fit),
        behaviour: round(behaviour),
        ...(item.email ? { email: String(item.email) } : {}),
        ...(item.leadName ? { name: String(item.leadName) } : {}),
        ...(item.company ? { company: String(item.company) } : {}),
        lastSeenAt: item.lastSeenAt,
      };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  return json(200, { leads: rows, asOf: now, order: 'score' });
}

async function adminProfiles(event: APIGatewayProxyEventV2) {
  if (event.rawPath.endsWith('/leads')) return leads(event);
  return profileView(event);
}

/** Admin read API: GET /v1/admin/profiles/{id} and GET /v1/admin/leads. */
export const handler = middy(adminProfiles)
  .use(middlewares)
  .use(httpErrors({ log: (entry) => logger.error(String(entry.message), entry) }));
