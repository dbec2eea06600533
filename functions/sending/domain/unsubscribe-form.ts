/**
 * The body of an unsubscribe POST: the RFC 8058 one-click request a mail client sends, or the unsubscribe
 * page's own form. RFC 8058 says the body SHOULD be `multipart/form-data` (its section 8.3 example) and
 * clients also send `application/x-www-form-urlencoded` (section 8.1, and the page's form), so both are
 * read. Pure: the route hands in the content type and the body text.
 */
import { BadRequestError } from '../../shared/errors.js';
import type { UnsubscribeScope } from './feedback.js';

/**
 * Largest unsubscribe body read, in bytes. The RFC 8058 body is 124 bytes and the page's form sends one
 * short field; 8 KB leaves room for clients that add a few fields of their own, and no more.
 */
export const maxUnsubscribeBodyBytes = 8 * 1024;

/** Form fields kept from one body: the two Nurture reads and a few a client may add. */
const maxFields = 32;

/** The `boundary` parameter of a multipart content type, quoted or not. */
function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/**
 * The text fields of a `multipart/form-data` body. Each part opens with `--` and the boundary (RFC 2046);
 * the bare boundary is accepted too, since that is how RFC 8058 section 8.3 prints its example (erratum
 * 5117), and a client may have copied it. Parts without a `name` are skipped.
 */
function multipartFields(body: string, boundary: string): Map<string, string> {
  const delimiters = [`--${boundary}`, boundary];
  const fields = new Map<string, string>();
  let part: { name?: string; headers: boolean; lines: string[] } | undefined;
  const close = () => {
    if (part?.name !== undefined && fields.size < maxFields && !fields.has(part.name)) fields.set(part.name, part.lines.join('\r\n'));
  };
  for (const line of body.split(/\r?\n/)) {
    const delimiter = delimiters.find((d) => line.trimEnd() === d || line.trimEnd() === `${d}--`);
    if (delimiter) {
      close();
      part = line.trimEnd().endsWith(`${delimiter}--`) ? undefined : { headers: true, lines: [] };
      continue;
    }
    if (!part) continue;
    if (part.headers) {
      if (line === '') part.headers = false;
      else if (/^content-disposition\s*:/i.test(line)) part.name = /;\s*name\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(line)?.slice(1).find((n) => n !== undefined);
    } else part.lines.push(line);
  }
  close();
  return fields;
}

/** The form fields of an unsubscribe body: multipart when it says so, else read as a URL-encoded form. */
export function unsubscribeFields(contentType: string | undefined, body: string): Map<string, string> {
  const type = contentType ?? '';
  if (/^\s*multipart\/form-data/i.test(type)) {
    const boundary = boundaryOf(type);
    if (!boundary) throw new BadRequestError('content-type', 'multipart/form-data needs a boundary parameter');
    return multipartFields(body, boundary);
  }
  // Mail clients' one-click POSTs vary: anything that is not multipart is read as a URL-encoded form.
  const fields = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) if (fields.size < maxFields && !fields.has(k)) fields.set(k, v);
  return fields;
}

/** What an unsubscribe body asks for: `List-Unsubscribe=One-Click` (all marketing mail) or `scope`. */
export function unsubscribeChoice(fields: Map<string, string>): { scope: UnsubscribeScope; oneClick: boolean } {
  const oneClick = fields.get('List-Unsubscribe')?.trim() === 'One-Click';
  const scope = fields.get('scope') ?? (oneClick ? 'all' : undefined);
  if (scope !== 'all' && scope !== 'topic') throw new BadRequestError('scope', 'all or topic (or List-Unsubscribe=One-Click)');
  return { scope, oneClick };
}
