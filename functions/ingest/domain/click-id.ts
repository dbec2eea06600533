/**
 * Ad click ids on a landing page's URL (`?gclid=…`), kept as nurture.clickId so the touch and the lake know
 * an ad click even where the ad carries no UTM values (auto-tagging). Pure.
 *
 * - The types are channels/domain/registry.ts `clickIdTypes`, tried in that order (gclid, gbraid, wbraid,
 *   dclid, fbclid, yclid, msclkid, ttclid, li_fat_id, twclid): the first one present with a valid value
 *   wins, whatever its place in the URL, so the same URL always gives the same click id. Google's ids come
 *   first: a URL carrying both gclid and fbclid is a Google ad shared on Facebook.
 * - A value is at most limits.clickIdChars characters of URL-safe token characters (letters, digits,
 *   `-`, `_`, `.`, `~`); any other value is ignored (the next type is tried), never clipped: a clipped id
 *   would match no click on the ad platform's side.
 */
import { type ClickIdType, clickIdTypes } from '../../channels/domain/registry.js';
import { limits } from './limits.js';

export interface ClickId {
  type: ClickIdType;
  value: string;
}

const tokenRe = /^[A-Za-z0-9._~-]+$/;

/** The query parameters of context.page: its `search` string, else the query of its `url`. */
export function pageParams(context: Record<string, unknown> | undefined): URLSearchParams | undefined {
  const page = context?.page as { url?: unknown; search?: unknown } | undefined;
  const search = typeof page?.search === 'string' && page.search ? page.search : queryOf(page?.url);
  if (!search) return undefined;
  return new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
}

function queryOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}

/** Whether a click id value is kept (bounded, URL-safe token characters only). */
export const validClickId = (value: string): boolean => value.length <= limits.clickIdChars && tokenRe.test(value);

/** The ad click id on the page URL or search string of `context`; undefined for none. */
export function clickIdOf(context: Record<string, unknown> | undefined): ClickId | undefined {
  const params = pageParams(context);
  if (!params) return undefined;
  for (const type of clickIdTypes) {
    const value = params.get(type);
    if (value && validClickId(value)) return { type, value };
  }
  return undefined;
}
