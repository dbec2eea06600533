import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { normalizeEmail } from '../identity/domain/keys.js';
import { documentClient, s3Client } from '../shared/aws.js';
import { parseEnv, required } from '../shared/env.js';
import { ClientError } from '../shared/errors.js';
import { bodyText, httpErrors, json } from '../shared/http.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { addSuppressionBody, consentBody, maxSuppressionPage } from './domain/admin-schemas.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
const store = new DynamoSendingStore(documentClient(), env.TABLE_NAME);
const templates = new S3TemplateStore(s3Client(), env.CONTENT_BUCKET);

class BadRequest extends ClientError {
  override name = 'BadRequestError';
  constructor(field: string, message: string) {
    super(400, `${field}: ${message}`, { field });
  }
}

class NotFound extends ClientError {
  override name = 'NotFoundError';
  constructor(message: string, field: string) {
    super(404, message, { field });
  }
}

function parseBody<T extends z.ZodMiniType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(bodyText(event) || '{}');
  } catch {
    throw new BadRequest('body', 'not valid JSON');
  }
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequest(issue.path.join('.') || 'body', issue.message);
  }
  return parsed.data;
}

function emailParam(raw: string | undefined): string {
  const email = normalizeEmail(raw ?? '');
  if (!email) throw new BadRequest('email', 'not an email address');
  return email;
}

async function list(event: APIGatewayProxyEventV2) {
  const q = event.queryStringParameters ?? {};
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxSuppressionPage) throw new BadRequest('limit', `an integer from 1 to ${maxSuppressionPage}`);
  let page;
  try {
    page = await store.listSuppressions(limit, q.cursor);
  } catch (err) {
    if (q.cursor && (err instanceof SyntaxError || (err as Error).name === 'ValidationException')) throw new BadRequest('cursor', 'not a cursor from this list');
    throw err;
  }
  return json(200, { success: true, ...page });
}

async function add(event: APIGatewayProxyEventV2) {
  const body = parseBody(event, addSuppressionBody);
  const email = emailParam(body.email);
  const created = await store.suppress({
    email,
    reason: 'manual',
    at: new Date().toISOString(),
    source: 'operator',
    ...(body.detail ? { detail: body.detail } : {}),
  });
  return json(created ? 201 : 200, { success: true, email, created });
}

async function lift(event: APIGatewayProxyEventV2) {
  const email = emailParam(event.pathParameters?.email);
  const lifted = await store.lift(email);
  if (!lifted) throw new NotFound(`${email} is not suppressed`, 'email');
  return json(200, { success: true, lifted });
}

async function consent(event: APIGatewayProxyEventV2) {
  const body = parseBody(event, consentBody);
  const found = await store.resolveProfile(event.pathParameters?.id ?? '');
  if (!found) throw new NotFound(`no profile ${event.pathParameters?.id}`, 'id');
  const record = { status: body.status, source: body.source, at: new Date().toISOString() };
  const changed = await store.setConsent(found.profileId, record);
  return json(200, { success: true, profileId: found.profileId, changed, consent: changed ? record : found.profile.consent });
}

async function templateReport(event: APIGatewayProxyEventV2) {
  const id = event.pathParameters?.id ?? '';
  const report = /^[a-z0-9][a-z0-9_-]{0,63}$/.test(id) ? await templates.report(id) : undefined;
  if (!report) throw new NotFound(`no check report for template ${id}: upload templates/${id}.liquid or .mjml`, 'id');
  return json(200, { success: true, report });
}

const routes: Record<string, (e: APIGatewayProxyEventV2) => Promise<ReturnType<typeof json>>> = {
  'GET /v1/admin/suppressions': list,
  'POST /v1/admin/suppressions': add,
  'DELETE /v1/admin/suppressions/{email}': lift,
  'POST /v1/admin/profiles/{id}/consent': consent,
  'GET /v1/admin/templates/{id}': templateReport,
};

/** Operator API of sending (admin routes: IAM on AWS, the admin token locally). */
async function admin(event: APIGatewayProxyEventV2) {
  const route = routes[event.routeKey];
  if (!route) return json(404, { success: false, error: 'not found' });
  return route(event);
}

export const handler = middy(admin).use(httpErrors());
