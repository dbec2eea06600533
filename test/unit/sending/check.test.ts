import { describe, expect, it } from 'vitest';
import { compileMjml } from '../../../functions/sending/adapters/mjml.js';
import { checkTemplate } from '../../../functions/sending/domain/check.js';

const check = (name: string, source: string) => checkTemplate(name, source, { compileMjml });

const good = `---
subject: "Welcome, {{ profile.traits.firstName | default: 'there' }}"
category: marketing
preheader: Three ways to start
---
<p>Hi {{ profile.traits.firstName }}</p>
<p><a href="https://www.example.com/products">Products</a></p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
<p>{{ sender.name }}, {{ sender.address }}</p>
`;

describe('template check', () => {
  it('passes a good template and renders a preview for the sample profile', async () => {
    const report = await check('welcome.liquid', good);
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.template).toMatchObject({ templateId: 'welcome', category: 'marketing', topic: 'general' });
    expect(report.preview?.subject).toBe('Welcome, Alex');
    expect(report.preview?.html).toContain('Hi Alex');
  });

  it('reports broken Liquid with the line in the file', async () => {
    const report = await check('broken.liquid', good.replace('<p>Hi {{ profile.traits.firstName }}</p>', '<p>Hi {% if profile.score > 3 %}</p>'));
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ field: 'body', line: 6 });
    expect(report.errors[0]!.message).toMatch(/not closed/);
  });

  it('reports an unknown variable by name and line', async () => {
    const report = await check('typo.liquid', good.replace('profile.traits.firstName }}</p>', 'profile.trait.firstName }}</p>'));
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ field: 'body', line: 6 });
    expect(report.errors[0]!.message).toMatch(/undefined variable: profile\.trait/);
  });

  it('accepts context variables declared with sample values, and refuses undeclared ones', async () => {
    const uses = good.replace('<p>Hi', '<p>Code {{ context.coupon }}</p><p>Hi');
    expect((await check('coupon.liquid', uses)).errors[0]?.message).toMatch(/context\.coupon/);
    const declared = uses.replace('category: marketing', 'category: marketing\nsample:\n  context:\n    coupon: SAVE10');
    const report = await check('coupon.liquid', declared);
    expect(report.ok).toBe(true);
    expect(report.preview?.html).toContain('Code SAVE10');
  });

  it('names missing and unknown front matter fields, suggesting the key meant', async () => {
    const report = await check('fm.liquid', good.replace(/^subject:.*\n/m, '').replace('category: marketing', 'category: marketing\nsubjct: Hi'));
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([{ field: 'subjct', line: 3, column: 1, message: 'unknown key "subjct"', suggestion: 'subject' }]);
    const missing = await check('fm.liquid', good.replace(/^subject:.*\n/m, ''));
    expect(missing.errors).toEqual([{ field: 'subject', line: 2, column: 1, message: expect.stringMatching(/^missing: expected string/) }]);
  });

  it('reports every front matter problem and the Liquid error in one run, each at its line', async () => {
    const source = [
      '---', //                                          1
      'subjcet: Welcome', //                             2  misspelt key
      'category: marketting', //                         3  unknown value
      'preheader: "{{ profile.traits.firstName "', //    4  broken Liquid in a field
      'sample:', //                                      5
      '  trait: { plan: pro }', //                       6  misspelt nested key
      '---', //                                          7
      '<p>{% if profile.score > 3 %}</p>', //            8  tag never closed
      '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
    ].join('\n');
    const report = await check('many.liquid', source);
    expect(report.errors.map((e) => [e.line, e.field, e.suggestion])).toEqual([
      [2, 'subjcet', 'subject'],
      [3, 'category', 'marketing'],
      [4, 'preheader', undefined],
      [6, 'sample.trait', 'traits'],
      [8, 'body', undefined],
    ]);
    expect(report.errors[4]?.message).toMatch(/not closed/);
  });

  it('reports YAML errors with their line', async () => {
    const report = await check('yaml.liquid', good.replace('category: marketing', 'category: [marketing'));
    expect(report.ok).toBe(false);
    expect(report.errors[0]?.field).toBe('front matter');
    expect(report.errors[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('requires a visible unsubscribe link in marketing mail, not in transactional', async () => {
    const noLink = good.replace('<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>\n', '');
    expect((await check('m.liquid', noLink)).errors[0]?.message).toMatch(/unsubscribe/);
    expect((await check('t.liquid', noLink.replace('category: marketing', 'category: transactional'))).ok).toBe(true);
  });

  it('refuses a file without front matter or with a bad name', async () => {
    expect((await check('plain.liquid', '<p>x</p>')).errors[0]?.message).toMatch(/front matter missing/);
    expect((await check('Bad Name.liquid', good)).errors[0]?.message).toMatch(/file name/);
  });

  it('compiles MJML to responsive HTML and keeps Liquid inside it', async () => {
    const mjml = `---
subject: Hello
category: marketing
---
<mjml><mj-body><mj-section><mj-column>
<mj-text>Hi {{ profile.traits.firstName }}</mj-text>
<mj-button href="https://example.com/go">Go</mj-button>
<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ sender.name }} {{ sender.address }}</mj-text>
</mj-column></mj-section>
<mj-raw>{% if profile.score > 10 %}</mj-raw><mj-section><mj-column><mj-text>Hot lead</mj-text></mj-column></mj-section><mj-raw>{% endif %}</mj-raw>
</mj-body></mjml>`;
    const report = await check('news.mjml', mjml);
    expect(report.errors).toEqual([]);
    expect(report.template?.html).toContain('<!doctype html>');
    expect(report.preview?.html).toContain('Hi Alex');
    expect(report.preview?.html).toContain('Hot lead');
  });

  it('reports MJML mistakes and Liquid tags MJML would drop', async () => {
    const mjml = `---
subject: Hello
category: transactional
---
<mjml><mj-body><mj-section><mj-column>
{% if profile.score > 10 %}<mj-text>x</mj-text>{% endif %}
<mj-colum></mj-colum>
</mj-column></mj-section></mj-body></mjml>`;
    const report = await check('bad.mjml', mjml);
    expect(report.ok).toBe(false);
    const messages = report.errors.map((e) => `${e.line}: ${e.message}`).join('\n');
    expect(messages).toMatch(/mj-colum/);
    expect(messages).toMatch(/6: MJML dropped the Liquid tag \{% if profile\.score > 10 %\}/);
  });
});
