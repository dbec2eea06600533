import { describe, expect, it } from 'vitest';
import { enhanceScript } from '../../../functions/forms/domain/form-enhance.js';
import { formHtml, hiddenNames } from '../../../functions/forms/domain/form-html.js';
import { publicForm, reservedInputs } from '../../../functions/forms/domain/public-form.js';
import { demoForm } from '../../helpers/page-fixtures.js';

const action = 'https://api.example.com/v1/forms/brochure/submit';
const render = (locale: 'ja' | 'en' = 'ja') =>
  formHtml(publicForm(demoForm('brochure'), locale), { action, hidden: { token: 'tok.mac', page: 'brochure', url: 'https://api.example.com/p/brochure?utm_source=x', ref: 'https://google.com/', utm: { utm_source: 'x' } } });

describe('server-rendered form', () => {
  it('ties every visible input to a label and to its error (and help) text', () => {
    const html = render();
    for (const name of ['name', 'email', 'company']) {
      const id = `nf-brochure-${name}`;
      expect(html).toContain(`<label for="${id}">`);
      expect(html).toMatch(new RegExp(`id="${id}" name="${name}"[^>]*aria-describedby="[^"]*${id}-error"`));
      expect(html).toContain(`id="${id}-error"`);
    }
    expect(html).toMatch(/aria-describedby="nf-brochure-company-help nf-brochure-company-error"/);
    expect(html).toContain('id="nf-brochure-company-help"');
  });

  it('marks required fields for assistive technology and the browser', () => {
    expect(render()).toMatch(/id="nf-brochure-email" name="email" required aria-required="true" autocomplete="email"/);
    expect(render()).not.toMatch(/name="company" required/);
  });

  it('puts consents in a fieldset with a legend and the exact wording in each language', () => {
    const def = demoForm('brochure');
    const text = def.consents[0]!.text as { ja: string; en: string };
    expect(render('ja')).toMatch(/<fieldset class="nurture-form__consents"><legend>同意事項<\/legend>/);
    expect(render('ja')).toContain(`<label for="nf-brochure-_consent-newsletter">${text.ja}</label>`);
    expect(render('en')).toContain(`${text.en.replace(/\(/g, '(')}</label>`);
    expect(render()).toContain('name="_consent.newsletter" value="on"');
  });

  it('hides the honeypot from people: off-screen, aria-hidden, out of the tab order, no autocomplete', () => {
    const hp = /<div class="nurture-form__hp" aria-hidden="true" style="position:absolute;left:-10000px[^"]*">.*?<input type="text" id="[^"]+" name="_hp" value="" tabindex="-1" autocomplete="off"><\/div>/;
    expect(render()).toMatch(hp);
  });

  it('carries the token, page, language, address, referrer and utm as hidden inputs, posting to the submit route', () => {
    const html = render();
    expect(html).toContain(`action="${action}" method="post"`);
    for (const [name, value] of [
      ['_token', 'tok.mac'],
      ['_page', 'brochure'],
      ['_lang', 'ja'],
      ['_url', 'https://api.example.com/p/brochure?utm_source=x'],
      ['_ref', 'https://google.com/'],
      ['utm_source', 'x'],
    ]) {
      expect(html).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    }
  });

  it('uses the reserved input names of the shared contract', () => {
    expect(hiddenNames).toEqual({ token: reservedInputs.token, page: reservedInputs.page, lang: reservedInputs.locale, url: reservedInputs.url, ref: reservedInputs.referrer });
  });

  it('escapes text from the definition and the request', () => {
    const def = { ...demoForm('contact'), title: '<b>"Hi"</b>' };
    const html = formHtml(publicForm(def, 'en'), { action, hidden: { ref: '"><script>x</script>' } });
    expect(html).toContain('&lt;b&gt;&quot;Hi&quot;&lt;/b&gt;');
    expect(html).not.toContain('<script>x');
  });

  it('renders a textarea for the contact form message', () => {
    expect(formHtml(publicForm(demoForm('contact'), 'en'), { action })).toMatch(/<textarea id="nf-contact-message" name="message" required/);
  });

  it('enhancer script parses as ES2017 and cannot close its script element', () => {
    expect(() => new Function(enhanceScript)).not.toThrow();
    expect(enhanceScript).not.toMatch(/<\/script/i);
  });
});
