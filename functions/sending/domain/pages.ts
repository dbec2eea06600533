import { escapeAttribute } from './links.js';

/** The small HTML pages a recipient sees: unsubscribe (confirm and done) and errors. No script, no tracking. */

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeAttribute(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}form{margin:1rem 0}</style></head><body>${body}</body></html>`;
}

/** Asks before unsubscribing: a GET never changes anything (link scanners prefetch GETs). */
export function unsubscribePage(action: string, topic: string): string {
  const t = escapeAttribute(topic);
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1><p>Choose which email you no longer want to receive.</p>` +
      (topic !== 'general'
        ? `<form method="post" action="${escapeAttribute(action)}"><input type="hidden" name="scope" value="topic"><button type="submit">Unsubscribe from “${t}” email</button></form>`
        : '') +
      `<form method="post" action="${escapeAttribute(action)}"><input type="hidden" name="scope" value="all"><button type="submit">Unsubscribe from all marketing email</button></form>`,
  );
}

export function unsubscribedPage(scope: 'all' | 'topic', topic: string): string {
  const what = scope === 'all' ? 'any more marketing email' : `“${escapeAttribute(topic)}” email any more`;
  return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will not receive ${what} from us. Transactional mail (receipts, password resets) still reaches you.</p>`);
}
