/**
 * The pages of the double opt-in link, in Japanese or English: the question (a GET changes nothing: mail
 * scanners follow links, and consent needs the person's own click), the answer, and the refusal of an
 * expired or broken link. No script, no tracking, nothing from outside. Pure.
 */
import { escapeAttribute } from '../../sending/domain/links.js';
import type { Locale } from './definition.js';
import { confirmTokenMaxAgeMs } from './tokens.js';

const days = confirmTokenMaxAgeMs / 86_400_000;

const texts = {
  ja: {
    askTitle: 'メール配信の登録確認',
    ask: (form: string) => `「${form}」でご入力いただいたメールアドレスへのお知らせメールの配信を登録します。よろしければ下のボタンを押してください。`,
    button: '登録を確定する',
    doneTitle: '登録が完了しました',
    done: 'メール配信の登録を確認しました。配信はいつでも各メールの配信停止リンクから停止できます。',
    expiredTitle: 'リンクの有効期限が切れています',
    expired: `確認リンクの有効期限（${days}日）が切れています。お手数ですが、フォームからもう一度お申し込みください。`,
    invalidTitle: 'リンクが正しくありません',
    invalid: '確認リンクが正しくないか、途中で切れています。メールのリンクをそのまま開いてください。',
  },
  en: {
    askTitle: 'Confirm your subscription',
    ask: (form: string) => `Confirm that you want to receive our email at the address you entered in “${form}”: press the button below.`,
    button: 'Confirm my subscription',
    doneTitle: 'You are subscribed',
    done: 'Your subscription is confirmed. You can stop it at any time with the unsubscribe link in every mail.',
    expiredTitle: 'This link has expired',
    expired: `The confirmation link is valid for ${days} days and has expired. Please fill in the form again.`,
    invalidTitle: 'This link is not valid',
    invalid: 'The confirmation link is wrong or was cut off. Please open the link from the mail as it is.',
  },
} as const;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeAttribute(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.6}button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}form{margin:1rem 0}</style></head><body><h1>${escapeAttribute(title)}</h1>${body}</body></html>`;
}

/** Asks for the click that grants consent: a form POSTing the token to `action`. */
export function confirmAskPage(locale: Locale, action: string, token: string, formTitle: string): string {
  const t = texts[locale];
  return page(
    locale,
    t.askTitle,
    `<p>${escapeAttribute(t.ask(formTitle))}</p><form method="post" action="${escapeAttribute(action)}"><input type="hidden" name="t" value="${escapeAttribute(token)}"><button type="submit">${escapeAttribute(t.button)}</button></form>`,
  );
}

/** The subscription is confirmed (the first click, and every click after it). */
export function confirmedPage(locale: Locale): string {
  const t = texts[locale];
  return page(locale, t.doneTitle, `<p>${escapeAttribute(t.done)}</p>`);
}

/** An expired, altered or unknown link. */
export function confirmErrorPage(locale: Locale, reason: 'expired' | 'invalid'): string {
  const t = texts[locale];
  return reason === 'expired' ? page(locale, t.expiredTitle, `<p>${escapeAttribute(t.expired)}</p>`) : page(locale, t.invalidTitle, `<p>${escapeAttribute(t.invalid)}</p>`);
}
