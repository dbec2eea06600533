import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { publicForm } from '../../../functions/forms/domain/public-form.js';
import { bundleForms, FORMS_GZIP_BUDGET, measure } from '../../../tracker/size.js';
import { demoForm } from '../../helpers/page-fixtures.js';

describe('embeddable form script', () => {
  it('stays within its gzip budget and bundles neither zod nor the page enhancer', async () => {
    const code = await bundleForms();
    expect(measure(code).gzipBytes).toBeLessThanOrEqual(FORMS_GZIP_BUDGET);
    expect(code).not.toMatch(/zod|ZodError/);
    expect(code).not.toContain('f.action');
  });

  it('fetches the form with the language and the tracker id, and renders it with token, address and utm', async () => {
    const code = await bundleForms();
    const calls: string[] = [];
    let rendered = '';
    const listeners: Record<string, unknown> = {};
    const formEl = { noValidate: false, addEventListener: (t: string, f: unknown) => (listeners[t] = f) };
    const el = {
      attrs: { 'data-nurture-form': 'contact' } as Record<string, string>,
      getAttribute(k: string) {
        return this.attrs[k] ?? null;
      },
      setAttribute(k: string, v: string) {
        this.attrs[k] = v;
      },
      set innerHTML(v: string) {
        rendered = v;
      },
      querySelector: () => formEl,
    };
    const document = {
      cookie: 'x=1; nurture_aid=aid-123',
      currentScript: { getAttribute: (k: string) => (k === 'data-api' ? 'https://api.test/' : null) },
      readyState: 'complete',
      documentElement: { lang: 'en-GB' },
      referrer: 'https://ref.test/',
      querySelectorAll: (sel: string) => (sel === '[data-nurture-form]' ? [el] : []),
    };
    const form = publicForm(demoForm('contact'), 'en');
    const fetch = async (url: string) => {
      calls.push(url);
      return { ok: true, status: 200, json: async () => ({ ...form, token: 'tok.mac' }) };
    };
    const window: Record<string, unknown> = {};
    runInNewContext(code, { window, document, fetch, location: { search: '?utm_source=mail&x=1', href: 'https://site.test/contact?utm_source=mail&x=1' }, URLSearchParams, encodeURIComponent, console });
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['https://api.test/v1/forms/contact?lang=en&aid=aid-123']);
    expect(rendered).toContain('action="https://api.test/v1/forms/contact/submit" method="post"');
    expect(rendered).toContain('<input type="hidden" name="_token" value="tok.mac">');
    expect(rendered).toContain('<input type="hidden" name="utm_source" value="mail">');
    expect(rendered).toContain('<input type="hidden" name="_url" value="https://site.test/contact?utm_source=mail&amp;x=1">');
    expect(rendered).toContain('<label for="nf-contact-message">Message');
    expect(formEl.noValidate).toBe(true);
    expect(typeof listeners.submit).toBe('function');
    expect(typeof (window.NurtureForms as { render: unknown }).render).toBe('function');
  });
});
