import { describe, expect, it } from 'vitest';
import { compileMjml } from '../../../functions/sending/adapters/mjml.js';
import { sendingConfigFromEnv } from '../../../functions/sending/adapters/env.js';
import { checkTemplate, sampleSender } from '../../../functions/sending/domain/check.js';

const check = (name: string, source: string) => checkTemplate(name, source, { compileMjml });
const marketing = (footer: string) => `---
subject: News
category: marketing
---
<p>Hello</p>
<p>${footer} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
`;

describe('sender identity in marketing mail (特定電子メール法, GDPR)', () => {
  it('refuses a marketing template that does not show the sender name and postal address, naming the law and the fix', async () => {
    const report = await check('news.liquid', marketing(''));
    expect(report.ok).toBe(false);
    expect(report.errors[0]?.message).toMatch(/特定電子メール法/);
    expect(report.errors[0]?.message).toMatch(/\{\{ sender\.name \}\} and \{\{ sender\.address \}\}/);
    const half = await check('news.liquid', marketing('{{ sender.name }}'));
    expect(half.errors.map((e) => e.message).join()).toMatch(/add \{\{ sender\.address \}\} to the footer/);
  });

  it('passes one that shows both, and previews them', async () => {
    const report = await check('news.liquid', marketing('{{ sender.name }}, {{ sender.address }}'));
    expect(report.errors).toEqual([]);
    expect(report.preview?.html).toContain(`${sampleSender.name}, ${sampleSender.address}`);
  });

  it('does not ask transactional mail for it', async () => {
    expect((await check('receipt.liquid', marketing('').replace('category: marketing', 'category: transactional'))).ok).toBe(true);
  });

  it('reads the identity from SENDER_NAME and SENDER_POSTAL_ADDRESS', () => {
    const base = { SENDER_ADDRESS: 'news@acme.example', PUBLIC_API_URL: 'https://api.example.com' };
    expect(sendingConfigFromEnv({ ...base, SENDER_NAME: 'Acme Analytics', SENDER_POSTAL_ADDRESS: 'Tokyo' }).sender).toEqual({ name: 'Acme Analytics', address: 'Tokyo' });
    expect(sendingConfigFromEnv(base).sender).toBeUndefined();
    expect(() => sendingConfigFromEnv({ ...base, SENDER_POSTAL_ADDRESS: 'x'.repeat(501) })).toThrow(/SENDER_POSTAL_ADDRESS/);
  });
});
