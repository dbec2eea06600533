import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { KinesisSink } from '../ingest/adapters/kinesis-sink.js';
import { transparentGif } from '../ingest/domain/pixel.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { kinesisClient } from '../shared/aws/kinesis.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { ClientError } from '../shared/errors.js';
import { bodyText, headersOf, httpErrors, type HttpResult, json } from '../shared/http.js';
import { DynamoSendingStore } from './adapters/dynamo-sending-store.js';
import { linkEnv } from './adapters/env.js';
import { loadLinkSecret } from './adapters/link-secret.js';
import { S3TemplateStore } from './adapters/s3-templates.js';
import { emailEvent, revokedConsent, type UnsubscribeScope } from './domain/feedback.js';
import { isRedirectable } from './domain/links.js';
import { unsubscribedPage, unsubscribePage } from './domain/pages.js';
import { linkUrls, templateVars } from './domain/send.js';
import { composeEmail } from './domain/template.js';
import { type LinkClaims, type TokenPurpose, verifyToken } from './domain/tokens.js';

const env = { ...linkEnv(), ...parseEnv(z.object({ EVENTS_STREAM_NAME: required(), CONTENT_BUCKET: required() })) };
const base = env.PUBLIC_API_URL.replace(/\/+$/, '');
const secret = await loadLinkSecret(env);
const store = new DynamoSendingStore(documentClient(), env.TABLE_NAME);
const templates = new S3TemplateStore(s3Client(), env.CONTENT_BUCKET);
const sink = new KinesisSink(kinesisClient(), env.EVENTS_STREAM_NAME);

/** A link token that is malformed, tampered with, or made for another purpose. Never redirected. */
class BadTokenError extends ClientError {
  override name = 'BadTokenError';
  constructor() {
    super(400, 'this link is invalid or was altered', { field: 'token' });
  }
}

class NotFoundError extends ClientError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, message, { field: 'token' });
  }
}

function claimsOf(event: APIGatewayProxyEventV2, purpose: TokenPurpose): LinkClaims {
  const claims = verifyToken(secret, purpose, event.pathParameters?.token ?? '');
  if (!claims) throw new BadTokenError();
  return claims;
}

const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  body,
});

/** Feeding back must never cost the recipient their click or page: a failed put is logged, not thrown. */
async function feed(events: Parameters<KinesisSink['put']>[0]): Promise<void> {
  try {
    await sink.put(events);
  } catch (err) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'email event not stored', error: String(err), messageId: events[0]?.messageId }));
  }
}

async function open(event: APIGatewayProxyEventV2) {
  const claims = claimsOf(event, 'open');
  const userAgent = headersOf(event)['user-agent'];
  await feed([emailEvent('Email Opened', claims, { now: new Date(), ...(userAgent ? { userAgent } : {}) })]);
  return transparentGif();
}

async function click(event: APIGatewayProxyEventV2) {
  const claims = claimsOf(event, 'click');
  // A genuine token names its own target; anything but an absolute http(s) URL is refused all the same.
  if (!claims.u || !isRedirectable(claims.u)) throw new BadTokenError();
  const userAgent = headersOf(event)['user-agent'];
  await feed([emailEvent('Email Link Clicked', claims, { now: new Date(), url: claims.u, ...(userAgent ? { userAgent } : {}) })]);
  return { statusCode: 302, headers: { location: claims.u, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, body: '' };
}

async function unsubscribeForm(event: APIGatewayProxyEventV2) {
  const claims = claimsOf(event, 'unsubscribe');
  return html(200, unsubscribePage(`${base}${event.rawPath}`, claims.k));
}

/** RFC 8058 one-click (`List-Unsubscribe=One-Click`) and the page's form (`scope=all|topic`). */
async function unsubscribe(event: APIGatewayProxyEventV2) {
  const claims = claimsOf(event, 'unsubscribe');
  const form = new URLSearchParams(bodyText(event));
  const oneClick = form.get('List-Unsubscribe') === 'One-Click';
  const scopeField = form.get('scope') ?? (oneClick ? 'all' : null);
  if (scopeField !== 'all' && scopeField !== 'topic') {
    throw new ClientError(400, 'scope must be all or topic (or List-Unsubscribe=One-Click)', { field: 'scope' });
  }
  const scope: UnsubscribeScope = scopeField;
  const found = await store.resolveProfile(claims.p);
  if (!found) throw new NotFoundError('this recipient is no longer known');
  const now = new Date();
  if (scope === 'all') await store.setConsent(found.profileId, revokedConsent(oneClick ? 'list-unsubscribe-one-click' : 'unsubscribe-page', now));
  else await store.setTopic(found.profileId, claims.k, false);
  await feed([emailEvent('Unsubscribed', { ...claims, p: found.profileId }, { now, scope })]);
  return html(200, unsubscribedPage(scope, claims.k));
}

/** View in browser: the mail as sent, rendered again from its send record and the current profile. */
async function view(event: APIGatewayProxyEventV2) {
  const claims = claimsOf(event, 'view');
  const record = await store.getRecord(claims.p, claims.s);
  const found = await store.resolveProfile(claims.p);
  if (!record || !found) throw new NotFoundError('this email is no longer available');
  const template = await templates.load(record.templateId);
  const links = linkUrls(base, secret, claims);
  const mail = await composeEmail(
    template,
    templateVars(found.profileId, found.profile, { templateId: record.templateId, scenarioId: record.scenarioId, context: record.context }, record.sendId, links),
    { base, click: links.click },
  );
  return html(200, mail.html);
}

const routes: Record<string, (e: APIGatewayProxyEventV2) => Promise<HttpResult | ReturnType<typeof transparentGif>>> = {
  'GET /v1/t/o/{token}': open,
  'GET /v1/t/c/{token}': click,
  'GET /v1/u/{token}': unsubscribeForm,
  'POST /v1/u/{token}': unsubscribe,
  'GET /v1/v/{token}': view,
};

/** Public mail links: open pixel, click redirect, unsubscribe page and one-click POST, view in browser. */
async function links(event: APIGatewayProxyEventV2) {
  const route = routes[event.routeKey];
  if (!route) return json(404, { success: false, error: 'not found' });
  return route(event);
}

export const handler = middy(links).use(httpErrors());
