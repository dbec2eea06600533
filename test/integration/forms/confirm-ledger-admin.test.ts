import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../functions/sending/domain/tokens.js';
import type { HttpResult } from '../../../functions/shared/http.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putProfile } from '../../helpers/sending.js';

const linkSecret = 'test-link-secret-0123456789abcdef0123456789';
let aws: TestAws;
let admin: (e: APIGatewayProxyEventV2) => Promise<HttpResult>;
let links: (e: APIGatewayProxyEventV2) => Promise<HttpResult>;

/** An event for a route with path parameters, as API Gateway sends it. */
const routed = (method: string, template: string, params: Record<string, string>, body?: string, headers: Record<string, string> = {}) => {
  const path = Object.entries(params).reduce((p, [k, v]) => p.replace(`{${k}}`, encodeURIComponent(v)), template);
  return { ...apiEvent({ method, path, ...(body !== undefined ? { body } : {}), headers }), routeKey: `${method} ${template}`, pathParameters: params };
};
const ledgerOf = async (id: string) => JSON.parse((await admin(routed('GET', '/v1/admin/profiles/{id}/consents', { id }))).body ?? '') as { items: Record<string, unknown>[] };

beforeAll(async () => {
  aws = await startTestAws({ SENDER_ADDRESS: 'hello@acme.example', PUBLIC_API_URL: 'https://api.nurture.test', LINK_SECRET: linkSecret });
  admin = asFunction('sendingAdmin', ((await import('../../../functions/sending/admin.js')) as unknown as { handler: typeof admin }).handler);
  links = asFunction('mailLinks', ((await import('../../../functions/sending/links.js')) as unknown as { handler: typeof links }).handler);
});

afterAll(async () => {
  await aws?.stop();
});

describe('consent ledger (IAM check on)', () => {
  it('keeps an operator’s consent change in the ledger, once, and lists it', async () => {
    await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: 'p_op', email: 'op@example.com' });
    const body = JSON.stringify({ status: 'granted', source: 'signed paper form 2026-12-01' });

    const first = await admin(routed('POST', '/v1/admin/profiles/{id}/consent', { id: 'p_op' }, body));
    const again = await admin(routed('POST', '/v1/admin/profiles/{id}/consent', { id: 'p_op' }, body));

    expect([first.statusCode, JSON.parse(first.body ?? '').changed, JSON.parse(again.body ?? '').changed]).toEqual([200, true, false]);
    expect((await ledgerOf('p_op')).items).toEqual([
      expect.objectContaining({ profileId: 'p_op', purpose: 'email', status: 'granted', method: 'operator', text: 'signed paper form 2026-12-01' }),
    ]);
    expect((await admin(routed('GET', '/v1/admin/profiles/{id}/consents', { id: 'p_nobody' }))).statusCode).toBe(404);
    expect(aws.iam.denials).toEqual([]);
  });

  it('records unsubscribing from all marketing mail as a withdrawal, once', async () => {
    await putProfile(aws.doc, aws.env.TABLE_NAME!, { profileId: 'p_unsub', email: 'unsub@example.com' });
    const token = signToken(linkSecret, 'unsubscribe', { p: 'p_unsub', s: 's_1', t: 'welcome', c: 'marketing', k: 'general' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    for (let i = 0; i < 2; i++) expect((await links(routed('POST', '/v1/u/{token}', { token }, 'List-Unsubscribe=One-Click', form))).statusCode).toBe(200);

    expect((await ledgerOf('p_unsub')).items).toEqual([expect.objectContaining({ purpose: 'email', status: 'revoked', method: 'unsubscribe', textVersion: 'list-unsubscribe-one-click' })]);
    expect(aws.iam.denials).toEqual([]);
  });
});
