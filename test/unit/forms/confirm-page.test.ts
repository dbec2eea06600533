import { describe, expect, it } from 'vitest';
import { confirmAskPage, confirmedPage, confirmErrorPage } from '../../../functions/forms/domain/confirm-page.js';

describe('double opt-in pages', () => {
  it('asks in Japanese with a button that POSTs the token (the GET page changes nothing)', () => {
    const html = confirmAskPage('ja', '/v1/forms/confirm', 'abc.def', '資料請求');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('登録を確定する');
    expect(html).toContain('「資料請求」');
    expect(html).toMatch(/<form method="post" action="\/v1\/forms\/confirm"><input type="hidden" name="t" value="abc\.def">/);
    expect(html).not.toMatch(/<script|<img/);
  });

  it('speaks English when asked, and escapes what it shows', () => {
    const html = confirmAskPage('en', '/v1/forms/confirm', '"><x', '<b>Brochure</b>');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Confirm my subscription');
    expect(html).not.toContain('<b>Brochure</b>');
    expect(html).not.toContain('"><x');
  });

  it('says an expired link expired after 7 days, in each language', () => {
    expect(confirmErrorPage('ja', 'expired')).toContain('有効期限（7日）');
    expect(confirmErrorPage('en', 'expired')).toContain('valid for 7 days and has expired');
    expect(confirmErrorPage('en', 'invalid')).toContain('not valid');
    expect(confirmedPage('ja')).toContain('登録が完了しました');
    expect(confirmedPage('en')).toContain('You are subscribed');
  });
});
