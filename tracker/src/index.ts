/**
 * Nurture browser tracker (nurture.js). Loaded by the snippet:
 *
 *   window.nurture = window.nurture || function(){(window.nurture.q = window.nurture.q || []).push(arguments)};
 *   nurture('init', {api: 'https://api.example.com', writeKey: 'KEY'}); nurture('page');
 *
 * Commands: init, page, track, identify, alias, reset, and `use` (an add-on script such as
 * nurture-personalize.min.js registers its commands: `nurture('use', 'recommend', handler)`; a command
 * of an add-on not loaded yet waits for it, at most 20 of them). Messages follow the Segment spec and are POSTed to
 * {api}/v1/batch as text/plain (a CORS-simple request, no preflight). Nothing here may throw into the host
 * page: every entry point and listener is wrapped.
 *
 * Choices not spelled out by the design:
 * - An automatic page view follows init unless a page view for the current URL was already sent (the
 *   snippet's own `nurture('page')` counts), so the snippet never double-counts the first page.
 * - SPA navigation (pushState/replaceState/popstate) sends a page view when the URL without its #fragment
 *   changed, one tick later so the app can update document.title; in-page anchors do not count. Its
 *   referrer is the previous page's URL.
 * - identify and alias flush on the next microtask, so a track call made right after them (a form
 *   submit) travels in the same request, in order.
 * - alias makes the new id the current userId.
 * - Commands other than init that arrive before init wait for it.
 */
import {
  type Dict,
  type Queued,
  buildMessage,
  pageInfo,
  parseQueue,
  requeue,
  resolveCampaign,
  splitBatches,
  stripHash,
  uuid,
} from './core.js';

type Storage = 'localStorage' | 'sessionStorage';

const w = window as any;
const d = document;
const nav = navigator;
const AID = 'nurture_aid';
const UID = 'nurture_uid';
const QUEUE = 'nurture_q';
const UTM = 'nurture_utm';
const CT = 'text/plain;charset=UTF-8';

let api = '';
let key = '';
let interval = 15000;
let maxPings = 40;
let ready = 0;
let aid = '';
/** Cookie Domain attribute (`init` option `cookieDomain`, e.g. `.example.com`): shares the id across subdomains. */
let cookieDomain = '';
let uid: string | null | undefined;
let buf: Queued[] = [];
let flushTimer: any;
let pingTimer: any;
let pings = 0;
let lastActive = 0;
let lastUrl = '';
/** Referrer of the current page view: document.referrer, or the previous URL after SPA navigation. */
let referrer = '';
const pending: ArrayLike<any>[] = [];
/** Add-on commands by name; each gets (options, callback, api, writeKey, anonymousId, userId). */
const ext: Dict = {};
/** Add-on commands that arrived before their add-on (at most 20, so a typo cannot grow memory). */
let held: ArrayLike<any>[] = [];

/** f wrapped so that it never throws. */
const safe =
  <A extends any[]>(f: (...a: A) => unknown) =>
  (...a: A): any => {
    try {
      return f(...a);
    } catch (e) {
      /* never into the host page */
    }
  };

/** Reads (v omitted), writes, or removes (v null) a storage key; undefined when storage is unavailable. */
const store = safe((s: Storage, k: string, v?: string | null): string | null | undefined => {
  const st: globalThis.Storage = w[s];
  if (v === undefined) return st.getItem(k);
  v === null ? st.removeItem(k) : st.setItem(k, v);
});

const readCookie = safe((k: string) => {
  const m = d.cookie.match('(?:^|; )' + k + '=([^;]*)');
  return m && decodeURIComponent(m[1]!);
});

/** Stores the anonymous id in a 2-year first-party cookie and in localStorage. */
const saveAid = (id: string) => {
  aid = id;
  safe(() => {
    d.cookie = AID + '=' + id + '; Max-Age=63072000; Path=/; SameSite=Lax' + (cookieDomain ? '; Domain=' + cookieDomain : '') + (location.protocol == 'https:' ? '; Secure' : '');
  })();
  store('localStorage', AID, id);
};

const timezone = safe(() => Intl.DateTimeFormat().resolvedOptions().timeZone);

const currentUrl = () => stripHash(location.href);

function page(name?: any, props?: any) {
  if (name && typeof name == 'object') {
    props = name;
    name = 0;
  }
  const u = currentUrl();
  referrer = lastUrl && lastUrl != u ? lastUrl : d.referrer;
  lastUrl = u;
  const p = pageInfo(location, d.title, referrer);
  // A new page view: restart the heartbeat and its counter.
  pings = 0;
  clearInterval(pingTimer);
  pingTimer = setInterval(ping, interval);
  enqueue('page', { name: name || undefined, properties: Object.assign(name ? { name } : {}, p, props) });
}

const ping = safe(() => {
  if (d.visibilityState == 'visible' && Date.now() - lastActive <= interval && pings < maxPings) {
    pings++;
    enqueue('track', { event: 'Page Ping', properties: { seconds: interval / 1000, path: location.pathname } });
  }
});

function enqueue(type: string, body: Dict) {
  const c = resolveCampaign(location.search, store('sessionStorage', UTM) as any);
  if (c.store) store('sessionStorage', UTM, c.store);
  buf.push({
    m: buildMessage(
      type,
      body,
      { anonymousId: aid, userId: uid },
      {
        page: pageInfo(location, d.title, referrer || d.referrer),
        userAgent: nav.userAgent,
        locale: nav.language,
        timezone: timezone(),
        screen: { width: screen.width, height: screen.height },
        campaign: c.campaign,
      },
      new Date(),
      uuid(),
    ),
    n: 0,
  });
  clearTimeout(flushTimer);
  buf.length < 20 ? (flushTimer = setTimeout(() => flush(), 1000)) : flush();
}

/** Sends everything waiting in memory; with `beacon`, through sendBeacon (the page is going away). */
const flush = safe((beacon?: boolean) => {
  clearTimeout(flushTimer);
  const items = buf;
  buf = [];
  send(items, beacon);
});

/** Moves failed messages to the bounded retry queue in localStorage. */
const fail = (items: Queued[]) =>
  store('localStorage', QUEUE, JSON.stringify(requeue(parseQueue(store('localStorage', QUEUE)), items)));

/** Sends the retry queue again. */
const drain = () => {
  const q = parseQueue(store('localStorage', QUEUE));
  if (q.length) {
    store('localStorage', QUEUE, null);
    send(q);
  }
};

function send(items: Queued[], beacon?: boolean) {
  const url = api.replace(/\/+$/, '') + '/v1/batch';
  for (const b of splitBatches(items, key, new Date().toISOString())) {
    safe(() => {
      if (beacon || !w.fetch) {
        (nav.sendBeacon && nav.sendBeacon(url, new Blob([b.body], { type: CT }))) || fail(b.items);
      } else {
        fetch(url, { method: 'POST', body: b.body, headers: { 'Content-Type': CT }, keepalive: true }).then(
          // 5xx: retry later; 4xx: the API will never take it; 2xx: the way is clear, send old failures.
          safe((r: Response) => (r.status > 499 ? fail(b.items) : r.ok && drain())),
          safe(() => fail(b.items)),
        );
      }
    })();
  }
}

const onNav = safe(() => {
  if (currentUrl() != lastUrl) page();
});

function init(o: Dict, attrs: Dict) {
  if (ready) return;
  api = (o.api || attrs.api) as string;
  key = (o.writeKey || attrs.writeKey) as string;
  if (!api || !key) return;
  ready = 1;
  interval = +(o.pingInterval as any) || interval;
  if ((o.maxPingsPerPage as any) >= 0) maxPings = o.maxPingsPerPage as number;
  cookieDomain = (o.cookieDomain as string) || '';
  saveAid(readCookie(AID) || store('localStorage', AID) || uuid());
  uid = store('localStorage', UID);

  const on = (t: EventTarget, e: string, f: () => void) => t.addEventListener(e, safe(f), { capture: true, passive: true });
  for (const e of ['mousemove', 'keydown', 'scroll', 'touchstart', 'click']) on(w, e, () => (lastActive = Date.now()));
  on(w, 'pagehide', () => flush(true));
  on(d, 'visibilitychange', () => d.visibilityState == 'hidden' && flush(true));
  on(w, 'popstate', () => setTimeout(onNav));
  for (const k of ['pushState', 'replaceState']) {
    const orig = history[k as 'pushState'];
    history[k as 'pushState'] = function (this: History) {
      const r = orig.apply(this, arguments as any);
      setTimeout(onNav);
      return r;
    };
  }

  drain();
  pending.splice(0).forEach(run);
  setTimeout(safe(() => lastUrl || page()));
}

let attrs: Dict = {};

const run = safe((a: ArrayLike<any>) => {
  let [c, x, y] = Array.prototype.slice.call(a);
  if (c == 'init') return init(x || {}, attrs);
  if (!ready) return pending.push(a);
  if (c == 'page') page(x, y);
  else if (c == 'track') x && enqueue('track', { event: '' + x, properties: y || {} });
  else if (c == 'identify' || c == 'alias') {
    if (x && typeof x == 'object') {
      y = x;
      x = null;
    }
    const prev = uid || aid;
    if (x != null) store('localStorage', UID, (uid = '' + x));
    if (c == 'alias') x != null && enqueue('alias', { previousId: prev, userId: uid });
    else enqueue('identify', { traits: y || {} });
    Promise.resolve().then(() => flush());
  } else if (c == 'reset') {
    saveAid(uuid());
    uid = null;
    store('localStorage', UID, null);
  } else if (c == 'use') {
    ext[x] = y;
    const h = held;
    held = [];
    h.forEach(run);
  } else if (ext[c]) (ext[c] as Function)(x, y, api, key, aid, uid);
  else held.length < 20 && held.push(a);
});

safe(() => {
  const prev = w.nurture;
  if (prev && prev.loaded) return; // loaded twice
  const n = (w.nurture = function () {
    run(arguments);
  } as any);
  n.loaded = 1;
  const s = (d.currentScript || d.querySelector('script[data-write-key]')) as HTMLElement | null;
  if (s) attrs = { api: s.getAttribute('data-api'), writeKey: s.getAttribute('data-write-key') };
  ((prev && prev.q) || []).forEach((a: IArguments) => run(a));
  if (!ready) init({}, attrs);
})();
