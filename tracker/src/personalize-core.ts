/**
 * Pure parts of nurture-personalize.js (tracker/src/personalize.ts): the request URLs, the rule that
 * decides whether a marked element's condition holds, and the properties of the recommendation events.
 * No DOM here, so the unit tests run them directly.
 */

/** What `GET /v1/personalize` answers. */
export interface Visitor {
  known: boolean;
  stage: string;
  interests: string[];
  segments: string[];
}

/** What `GET /v1/recommendations` answers. */
export interface Recs {
  strategy: string;
  variant: string;
  recId: string;
  items: { productId: string }[];
  fallback?: string;
}

/** `{api}/v1/<path>?<params>`, leaving out empty values. */
export function apiUrl(api: string, path: string, params: Record<string, unknown>): string {
  const q: string[] = [];
  for (const k in params) {
    const v = params[k];
    if (v != null && v !== '') q.push(encodeURIComponent(k) + '=' + encodeURIComponent('' + v));
  }
  return api.replace(/\/+$/, '') + path + '?' + q.join('&');
}

/**
 * Whether an element's condition holds for the visitor: `known`, `anonymous`, `segment:<id>`,
 * `interest:<category>` or `stage:<stage>`; several separated by commas hold when any does.
 */
export function holds(condition: string, v: Visitor): boolean {
  return condition.split(',').some((c) => {
    c = c.trim();
    const i = c.indexOf(':');
    const kind = i < 0 ? c : c.slice(0, i);
    const value = c.slice(i + 1);
    return kind == 'known'
      ? v.known
      : kind == 'anonymous'
        ? !v.known
        : kind == 'segment'
          ? v.segments.indexOf(value) >= 0
          : kind == 'interest'
            ? v.interests.indexOf(value) >= 0
            : kind == 'stage' && v.stage == value;
  });
}

/** Properties of `Recommendation Viewed`. */
export const viewed = (r: Recs) => ({ recId: r.recId, strategy: r.strategy, variant: r.variant, productIds: r.items.map((i) => i.productId) });

/** Properties of `Recommendation Clicked` (position counts from 1). */
export const clicked = (r: Recs, productId: string) => {
  let position = 0;
  r.items.some((it, i) => it.productId == productId && (position = i + 1));
  return { recId: r.recId, strategy: r.strategy, variant: r.variant, productId, position };
};

/** Class on <html> while the personalization answer is awaited: elements marked to hide stay invisible. */
export const waitClass = 'nurture-wait';
/** Id of the style element holding personalizeCss (the head snippet's, or the one the script adds). */
export const cssId = 'nurture-css';
/**
 * How long marked elements wait for the answer (ms). After it the defaults show (`show` elements stay
 * hidden, `hide` elements appear) and a late answer changes nothing, so nothing moves after first paint
 * beyond that one wait.
 */
export const personalizeTimeoutMs = 800;
/**
 * `show` elements are hidden until their condition holds; `hide` elements are invisible (keeping their
 * place) while waiting and removed when their condition holds.
 */
export const personalizeCss =
  '[data-nurture-show]:not([data-nurture-on]),[data-nurture-hide][data-nurture-on]{display:none!important}' +
  '.' + waitClass + ' [data-nurture-hide]{visibility:hidden!important}';
