import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../../functions/sending/errors.js';
import { type CompiledTemplate, composeEmail, type TemplateVars } from '../../../functions/sending/domain/template.js';
import { signToken, verifyToken } from '../../../functions/sending/domain/tokens.js';

const base = 'https://api.example.com';

function template(html: string, extra: Partial<CompiledTemplate> = {}): CompiledTemplate {
  return { templateId: 't1', format: 'liquid', category: 'marketing', topic: 'general', subject: 'Hi {{ profile.traits.firstName }}', html, ...extra };
}

function vars(traits: Record<string, unknown> = {}, context: Record<string, unknown> = {}): TemplateVars {
  return {
    profile: { id: 'p_1', email: 'kim@example.com', traits, score: 12, stage: 'known', known: true },
    context,
    unsubscribe_url: `${base}/v1/u/tok`,
    view_url: `${base}/v1/v/tok`,
    recommendations: [],
    send: { id: 's_1', template: 't1' },
  };
}

const tracking = { base, click: (url: string) => `${base}/v1/t/c/${encodeURIComponent(url)}`, pixel: `${base}/v1/t/o/px` };

describe('template rendering', () => {
  it('HTML-escapes lead data in the body', async () => {
    const mail = await composeEmail(template('<p>Hello {{ profile.traits.firstName }}</p>'), vars({ firstName: '<script>alert(1)</script>' }));
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
  });

  it('keeps the subject plain text on one line, whatever the lead data holds', async () => {
    const mail = await composeEmail(template('<p>x</p>'), vars({ firstName: 'Kim & Co\r\nBcc: evil@example.com' }));
    expect(mail.subject).toBe('Hi Kim & Co Bcc: evil@example.com');
  });

  it('renders a trait the profile lacks as nil, so `default` works', async () => {
    const mail = await composeEmail(template('<p>Hi {{ profile.traits.nickname | default: "there" }}</p>', { subject: 'Hello' }), vars());
    expect(mail.html).toContain('Hi there');
  });

  it('fails with a TemplateError naming an unknown variable', async () => {
    const render = composeEmail(template('<p>{{ profile.trait.firstName }}</p>'), vars({ firstName: 'Kim' }));
    await expect(render).rejects.toBeInstanceOf(TemplateError);
    await expect(render).rejects.toThrow(/html: undefined variable: profile\.trait/);
  });

  it('fails when the caller did not pass a context variable the template needs', async () => {
    await expect(composeEmail(template('<p>{{ context.coupon }}</p>'), vars({ firstName: 'Kim' }))).rejects.toThrow(/context\.coupon/);
  });

  it('cannot read files or bypass escaping', async () => {
    await expect(composeEmail(template('{% include "/etc/passwd" %}'), vars({ firstName: 'K' }))).rejects.toBeInstanceOf(TemplateError);
    await expect(composeEmail(template('{% render "x" %}'), vars({ firstName: 'K' }))).rejects.toBeInstanceOf(TemplateError);
    await expect(composeEmail(template('{{ profile.traits.firstName | raw }}'), vars({ firstName: '<b>' }))).rejects.toThrow(/raw filter is not allowed/);
  });

  it('cannot reach object prototypes', async () => {
    await expect(composeEmail(template('{{ profile.constructor.name }}'), vars({ firstName: 'K' }))).rejects.toBeInstanceOf(TemplateError);
  });

  it('tracks http(s) links and adds the open pixel, leaving its own links, mailto and opted-out links alone', async () => {
    const html =
      '<body><a href="https://shop.example.com/p?a=1&amp;b=2">Shop</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a> ' +
      '<a href="mailto:help@example.com">Mail</a> <a data-nurture-track="off" href="https://plain.example.com">Plain</a></body>';
    const mail = await composeEmail(template(html), vars({ firstName: 'Kim' }), tracking);
    expect(mail.html).toContain(`href="${base}/v1/t/c/${encodeURIComponent('https://shop.example.com/p?a=1&b=2')}"`);
    expect(mail.html).toContain(`href="${base}/v1/u/tok"`);
    expect(mail.html).toContain('href="mailto:help@example.com"');
    expect(mail.html).toContain('href="https://plain.example.com"');
    expect(mail.html).toMatch(/<img src="https:\/\/api\.example\.com\/v1\/t\/o\/px"[^>]*\/><\/body>/);
  });

  it('puts the preheader first in the body, hidden', async () => {
    const mail = await composeEmail(template('<body><p>Body</p></body>', { preheader: 'Preview for {{ profile.traits.firstName }}' }), vars({ firstName: 'Kim' }));
    expect(mail.html).toMatch(/^<body><div style="display:none[^"]*"[^>]*>Preview for Kim<\/div><p>Body<\/p>/);
  });

  it('derives a readable text part from the HTML, links untracked', async () => {
    const mail = await composeEmail(template('<h1>Welcome</h1><p>See <a href="https://example.com/x">our products</a>.</p>'), vars({ firstName: 'Kim' }), tracking);
    expect(mail.text).toContain('WELCOME');
    expect(mail.text).toContain('our products [https://example.com/x]');
    expect(mail.text).not.toContain('/v1/t/c/');
  });

  it('renders a given text part without HTML escaping', async () => {
    const mail = await composeEmail(template('<p>x</p>', { text: 'Hi {{ profile.traits.firstName }} & welcome' }), vars({ firstName: 'Kim <K>' }));
    expect(mail.text).toBe('Hi Kim <K> & welcome');
  });
});

describe('link tokens', () => {
  const claims = { p: 'p_1', s: 's_1', t: 'welcome', c: 'marketing' as const, k: 'general', u: 'https://shop.example.com/' };

  it('verify what they signed', () => {
    expect(verifyToken('secret-a', 'click', signToken('secret-a', 'click', claims))).toEqual(claims);
  });

  it('refuse a token whose target was changed', () => {
    const token = signToken('secret-a', 'click', claims);
    const [, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, u: 'https://evil.example.com/' })).toString('base64url')}.${mac}`;
    expect(verifyToken('secret-a', 'click', forged)).toBeUndefined();
  });

  it('refuse a token made for another purpose or with another secret', () => {
    const open = signToken('secret-a', 'open', claims);
    expect(verifyToken('secret-a', 'unsubscribe', open)).toBeUndefined();
    expect(verifyToken('secret-b', 'open', open)).toBeUndefined();
  });

  it('refuse garbage without throwing', () => {
    for (const junk of ['', '.', 'abc', 'a.b.c', `${'x'.repeat(5000)}.y`, '!!!.???']) {
      expect(verifyToken('secret-a', 'click', junk)).toBeUndefined();
    }
  });
});
