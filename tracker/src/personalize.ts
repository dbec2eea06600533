/**
 * nurture-personalize.js: recommendations and show/hide personalization, an add-on to nurture.js kept out
 * of its 3 KB budget. It registers its commands with `nurture('use', ...)` (so either script may load
 * first), then asks once what the page may know about the visitor.
 *
 *   nurture('recommend', {strategy, productId, category, limit}, function (answer, error) { ... });
 *     answer: the API's {strategy, variant, recId, items, fallback?} plus clicked(productId); null, with
 *     the error, when the API could not answer. "Recommendation Viewed" is tracked once the callback has
 *     rendered a non-empty answer; clicks on [data-nurture-product] inside [data-nurture-rec="<recId>"]
 *     (or answer.clicked(id)) track "Recommendation Clicked" with the position.
 *   nurture('personalize', function (visitor, error) { ... }) — also run once on load.
 *
 * Marked elements: data-nurture-show="segment:<id>" (shown only when it holds), data-nurture-hide="known"
 * (removed when it holds); conditions in personalize-core.ts. The head snippet (tracker/snippet.ts
 * personalizeSnippet) hides the marked elements before first paint and shows the defaults after
 * personalizeTimeoutMs, so an unreachable API changes nothing. Nothing here may throw into the page.
 */
import { apiUrl, clicked, cssId, holds, personalizeCss, personalizeTimeoutMs, type Recs, type Visitor, viewed, waitClass } from './personalize-core.js';

const w = window as any;
const d = document;
const de = d.documentElement;
const SHOW = 'data-nurture-show';
const HIDE = 'data-nurture-hide';
const answers: Record<string, Recs> = {};

const safe =
  <A extends any[]>(f: (...a: A) => unknown) =>
  (...a: A): any => {
    try {
      return f(...a);
    } catch (e) {
      /* never into the host page */
    }
  };

/** Calls nurture(), defining its command queue when nurture.js has not loaded yet. */
const nurture = (...a: any[]) => (w.nurture = w.nurture || function () { (w.nurture.q = w.nurture.q || []).push(arguments); }).apply(w, a);

const get = (url: string, done: (r: any) => void, fail: (e: unknown) => void) =>
  fetch(url, { credentials: 'omit' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
    .then(safe(done), safe(fail));

const track = (event: string, props: object) => nurture('track', event, props);

const reveal = () => de.classList.remove(waitClass);

function recommend(o: any, cb: any, api: string, key: string, aid: string, uid?: string | null) {
  o = o || {};
  get(
    apiUrl(api, '/v1/recommendations', { writeKey: key, anonymousId: aid, userId: uid, productId: o.productId, strategy: o.strategy, category: o.category, limit: o.limit }),
    (r: Recs & { clicked?: (id: string) => void }) => {
      answers[r.recId] = r;
      r.clicked = (id) => track('Recommendation Clicked', clicked(r, id));
      cb && safe(cb)(r);
      r.items.length && track('Recommendation Viewed', viewed(r));
    },
    (e) => cb && cb(null, e),
  );
}

function apply(v: Visitor) {
  d.querySelectorAll('[' + SHOW + '],[' + HIDE + ']').forEach((el) => {
    holds(el.getAttribute(SHOW) || el.getAttribute(HIDE) || '', v) ? el.setAttribute('data-nurture-on', '') : el.removeAttribute('data-nurture-on');
  });
  reveal();
}

function personalize(cb: any, _?: unknown, api?: string, key?: string, aid?: string, uid?: string | null) {
  get(
    apiUrl(api!, '/v1/personalize', { writeKey: key, anonymousId: aid, userId: uid }),
    (v: Visitor) => {
      const go = safe(() => {
        // After the wait the defaults stand: a late answer would move the page.
        if (de.classList.contains(waitClass)) apply(v);
        cb && cb(v);
      });
      d.readyState == 'loading' ? d.addEventListener('DOMContentLoaded', go) : go();
    },
    (e) => {
      reveal();
      cb && cb(null, e);
    },
  );
}

safe(() => {
  if (!d.getElementById(cssId)) {
    // No head snippet: hide marked elements now (they may already have painted) and keep the timeout.
    const s = d.createElement('style');
    s.id = cssId;
    s.textContent = personalizeCss;
    d.head.appendChild(s);
    de.classList.add(waitClass);
    setTimeout(reveal, personalizeTimeoutMs);
  }
  d.addEventListener(
    'click',
    safe((e: Event) => {
      const el = (e.target as Element).closest('[data-nurture-product]');
      const box = el && el.closest('[data-nurture-rec]');
      const r = box && answers[box.getAttribute('data-nurture-rec')!];
      r && track('Recommendation Clicked', clicked(r, el!.getAttribute('data-nurture-product')!));
    }),
    true,
  );
  nurture('use', 'recommend', recommend);
  nurture('use', 'personalize', personalize);
  nurture('personalize');
})();
