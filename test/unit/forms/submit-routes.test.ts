import { describe, expect, it } from 'vitest';
import { formsOrigins } from '../../../functions/forms/adapters/submit-ports.js';
import type { FormDefinition } from '../../../functions/forms/domain/definition.js';
import type { FormsPorts } from '../../../functions/forms/domain/submit.js';
import { issueRenderToken } from '../../../functions/forms/domain/tokens.js';
import { submitRoutes } from '../../../functions/forms/submit-routes.js';
import { serveRoutes } from '../../../functions/shared/http.js';
import { apiEvent } from '../../helpers/api-event.js';

const secret = 'r'.repeat(40);
const form: FormDefinition = {
  id: 'contact',
  version: 'v',
  title: 'Contact <b>us</b>',
  locale: 'en',
  fields: [{ name: 'email', type: 'email', label: 'E-mail <script>x</script>', required: true }],
  consents: [],
  submit: {},
};
const ports = {
  secret,
  apiBase: 'https://api.example.com',
  forms: { form: async (id: string) => (id === form.id ? form : undefined) },
  store: { accepted: async () => undefined, accept: async () => true, countRefused: async () => undefined },
  rateLimiter: { take: async () => true },
  now: () => new Date(),
  count: () => undefined,
} as unknown as FormsPorts;
const serve = serveRoutes(submitRoutes, ports);

async function post(body: Record<string, string>, headers: Record<string, string> = {}) {
  const event = apiEvent({ path: '/v1/forms/contact/submit', body: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  event.routeKey = 'POST /v1/forms/{id}/submit';
  event.pathParameters = { id: 'contact' };
  return serve(event);
}
const token = () => issueRenderToken(secret, { f: 'contact' }, new Date(Date.now() - 60_000));

describe('form post pages', () => {
  it('escapes labels and links back only to http(s) pages', async () => {
    const res = await post({ email: 'x', _token: token(), _url: 'javascript:alert(1)' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('E-mail &#60;script&#62;x&#60;/script&#62;: Enter a valid email address');
    expect(res.body).not.toContain('<script>');
    expect(res.body).not.toContain('javascript:');
    const back = await post({ email: 'x', _token: token() }, { referer: 'https://www.example.com/contact?a=1&b="2"' });
    expect(back.body).toContain('href="https://www.example.com/contact?a=1&#38;b=&#34;2&#34;"');
  });

  it('answers a refused form post with a page (422), not JSON', async () => {
    const res = await post({ email: 'a@b.jp', _token: token(), _hp: 'bot' });
    expect(res).toMatchObject({ statusCode: 422, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(res.body).toContain('<html lang="en">');
  });
});

describe('forms origins', () => {
  it('allow the sites and the API itself (landing pages post from there)', () => {
    expect(formsOrigins({ ALLOWED_ORIGINS: ['https://www.example.com'], PUBLIC_API_URL: 'https://abc.execute-api.ap-northeast-1.amazonaws.com/' })).toEqual([
      'https://www.example.com',
      'https://abc.execute-api.ap-northeast-1.amazonaws.com',
    ]);
  });
});
