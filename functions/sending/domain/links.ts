/**
 * Tracked links and the open pixel, applied to rendered HTML. Pure string work on the markup the
 * template produced: every `<a href="http(s)://…">` becomes a signed redirect through Nurture, except
 * Nurture's own links (unsubscribe, view in browser) and links marked `data-nurture-track="off"`.
 */

const anchor = /<a\b[^>]*>/gi;
const hrefAttr = /(\shref\s*=\s*)(["'])(.*?)\2/i;

/** Only absolute http(s) URLs are ever redirected to: never javascript:, data: or a relative path. */
export function isRedirectable(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Rewrites each trackable link with `track(url)` (which returns the redirect URL). `ownBase` is
 * Nurture's public base URL: links under it are left alone.
 */
export function trackLinks(html: string, ownBase: string, track: (url: string) => string): string {
  return html.replace(anchor, (tag) => {
    if (/\sdata-nurture-track\s*=\s*["']?off/i.test(tag)) return tag;
    const m = hrefAttr.exec(tag);
    if (!m) return tag;
    const url = decodeEntities(m[3]!.trim());
    if (!isRedirectable(url) || url.startsWith(ownBase)) return tag;
    return tag.replace(hrefAttr, `${m[1]}"${escapeAttribute(track(url))}"`);
  });
}

/** Adds a 1×1 open pixel at the end of the body (or the document when there is no body tag). */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px" />`;
  const close = html.search(/<\/body\s*>/i);
  return close < 0 ? html + img : html.slice(0, close) + img + html.slice(close);
}

/**
 * Puts a link no person sees or reaches first in the body: no text, hidden (`display:none`, Outlook's
 * `mso-hide:all`), hidden from screen readers and out of the tab order. Link scanners follow every href
 * whatever its style, so a click on it is a machine's (domain/machine.ts). First, because scanners that
 * follow links in order then meet it before the real ones.
 */
export function addHoneypot(html: string, url: string): string {
  const a = `<a aria-hidden="true" tabindex="-1" style="display:none;mso-hide:all" href="${escapeAttribute(url)}"></a>`;
  const open = /<body\b[^>]*>/i.exec(html);
  if (!open) return a + html;
  const at = open.index + open[0].length;
  return html.slice(0, at) + a + html.slice(at);
}

/** Puts the preheader (inbox preview text) first in the body, hidden when the mail is opened. */
export function addPreheader(html: string, preheaderHtml: string): string {
  if (!preheaderHtml) return html;
  const div = `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">${preheaderHtml}</div>`;
  const open = /<body\b[^>]*>/i.exec(html);
  if (!open) return div + html;
  const at = open.index + open[0].length;
  return html.slice(0, at) + div + html.slice(at);
}
