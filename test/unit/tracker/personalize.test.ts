import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { apiUrl, clicked, holds, personalizeCss, type Visitor, viewed, waitClass } from '../../../tracker/src/personalize-core.js';
import { PERSONALIZE_GZIP_BUDGET, bundlePersonalize, bundleTracker, GZIP_BUDGET, measure } from '../../../tracker/size.js';
import { personalizeSnippet } from '../../../tracker/snippet.js';

const member: Visitor = { known: true, stage: 'mql', interests: ['pricing'], segments: ['pricing-readers'] };
const stranger: Visitor = { known: false, stage: 'anonymous', interests: [], segments: [] };

describe('personalization conditions', () => {
  it('holds for known, segment, interest and stage, any of a comma list', () => {
    expect(holds('known', member)).toBe(true);
    expect(holds('known', stranger)).toBe(false);
    expect(holds('anonymous', stranger)).toBe(true);
    expect(holds('segment:pricing-readers', member)).toBe(true);
    expect(holds('segment:pricing', member)).toBe(false);
    expect(holds('interest:pricing', member)).toBe(true);
    expect(holds('stage:mql', member)).toBe(true);
    expect(holds('segment:other, stage:mql', member)).toBe(true);
    expect(holds('nonsense:x', member)).toBe(false);
  });
});

describe('recommendation calls', () => {
  it('builds the request with the write key in the query (a CORS-simple GET), leaving out empty values', () => {
    expect(apiUrl('https://api.example.com/', '/v1/recommendations', { writeKey: 'wk', anonymousId: 'a b', userId: null, productId: 'p#1', limit: 4, strategy: undefined })).toBe(
      'https://api.example.com/v1/recommendations?writeKey=wk&anonymousId=a%20b&productId=p%231&limit=4',
    );
  });
  it('describes impressions and clicks with the recId and the 1-based position', () => {
    const r = { strategy: 'bought-together', variant: 'model', recId: 'r_1', items: [{ productId: 'a' }, { productId: 'b' }] };
    expect(viewed(r)).toEqual({ recId: 'r_1', strategy: 'bought-together', variant: 'model', productIds: ['a', 'b'] });
    expect(clicked(r, 'b')).toEqual({ recId: 'r_1', strategy: 'bought-together', variant: 'model', productId: 'b', position: 2 });
  });
});

/** A page small enough for the add-on: marked elements, <html>'s classes, listeners, timers and fetch. */
function fakePage(opts: { answer?: unknown; fail?: boolean; headSnippet?: boolean }) {
  const attrs = (init: Record<string, string>) => {
    const a = new Map(Object.entries(init));
    return {
      getAttribute: (k: string) => a.get(k) ?? null,
      setAttribute: (k: string, v: string) => void a.set(k, v),
      removeAttribute: (k: string) => void a.delete(k),
      has: (k: string) => a.has(k),
    };
  };
  const elements = {
    offer: attrs({ 'data-nurture-show': 'segment:pricing-readers' }),
    signup: attrs({ 'data-nurture-hide': 'known' }),
    secret: attrs({ 'data-nurture-show': 'segment:big-spenders' }),
  };
  const classes = new Set<string>(opts.headSnippet ? [waitClass] : []);
  const timers: (() => void)[] = [];
  const fetched: string[] = [];
  const calls: unknown[][] = [];
  const appended: { id: string; textContent: string }[] = [];
  const listeners: Record<string, ((e: unknown) => void)[]> = {};
  const document = {
    readyState: 'complete',
    documentElement: { classList: { add: (c: string) => classes.add(c), remove: (c: string) => classes.delete(c), contains: (c: string) => classes.has(c) } },
    getElementById: (id: string) => (opts.headSnippet && id === 'nurture-css' ? {} : null),
    createElement: () => ({ id: '', textContent: '' }),
    head: { appendChild: (s: { id: string; textContent: string }) => appended.push(s) },
    querySelectorAll: () => Object.values(elements),
    addEventListener: (t: string, f: (e: unknown) => void) => (listeners[t] ??= []).push(f),
  };
  const window: Record<string, any> = {
    document,
    setTimeout: (f: () => void) => timers.push(f),
    fetch: (url: string) => {
      fetched.push(url);
      return opts.fail ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(opts.answer) });
    },
  };
  window.window = window;
  // nurture.js stand-in: init is done; `use` registers, other commands run their add-on or are recorded.
  const ext: Record<string, Function> = {};
  window.nurture = (c: string, x: unknown, y: unknown) => {
    calls.push([c, x, y]);
    if (c === 'use') ext[x as string] = y as Function;
    else ext[c]?.(x, y, 'https://api.example.com', 'wk_site_0001', 'anon-1', null);
  };
  window.nurture.loaded = 1;
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { window, elements, classes, timers, fetched, calls, appended, listeners, settle };
}

describe('nurture-personalize.min.js', async () => {
  const bundle = await bundlePersonalize();

  it(`stays within its ${PERSONALIZE_GZIP_BUDGET} B budget, and the core tracker within ${GZIP_BUDGET} B`, async () => {
    expect(measure(bundle).gzipBytes).toBeLessThanOrEqual(PERSONALIZE_GZIP_BUDGET);
    expect(measure(await bundleTracker()).gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET);
  });

  it('shows and hides marked elements by the answer, then ends the wait', async () => {
    const page = fakePage({ answer: member, headSnippet: true });
    runInNewContext(bundle, page.window);
    await page.settle();
    expect(page.fetched).toEqual(['https://api.example.com/v1/personalize?writeKey=wk_site_0001&anonymousId=anon-1']);
    expect(page.elements.offer.has('data-nurture-on')).toBe(true);
    expect(page.elements.signup.has('data-nurture-on')).toBe(true);
    expect(page.elements.secret.has('data-nurture-on')).toBe(false);
    expect(page.classes.has(waitClass)).toBe(false);
    expect(page.appended).toEqual([]);
  });

  it('changes nothing when the API is unreachable, and ends the wait', async () => {
    const page = fakePage({ fail: true, headSnippet: true });
    runInNewContext(bundle, page.window);
    await page.settle();
    for (const el of Object.values(page.elements)) expect(el.has('data-nurture-on')).toBe(false);
    expect(page.classes.has(waitClass)).toBe(false);
  });

  it('leaves the defaults when the answer comes after the wait ended', async () => {
    const page = fakePage({ answer: member, headSnippet: true });
    page.classes.delete(waitClass); // the head snippet's timeout fired first
    runInNewContext(bundle, page.window);
    await page.settle();
    expect(page.elements.offer.has('data-nurture-on')).toBe(false);
  });

  it('adds the style rule and its own timeout on a page without the head snippet', () => {
    const page = fakePage({ answer: member });
    runInNewContext(bundle, page.window);
    expect(page.appended).toEqual([{ id: 'nurture-css', textContent: personalizeCss }]);
    expect(page.classes.has(waitClass)).toBe(true);
    page.timers.forEach((f) => f());
    expect(page.classes.has(waitClass)).toBe(false);
  });

  it('answers nurture("recommend") through the API and tracks the impression after the callback', async () => {
    const recs = { strategy: 'bought-together', variant: 'model', recId: 'r_9', items: [{ productId: 'a' }, { productId: 'b' }] };
    const page = fakePage({ answer: recs, headSnippet: true });
    runInNewContext(bundle, page.window);
    const got: unknown[] = [];
    page.window.nurture('recommend', { productId: 'p1', limit: 2 }, (answer: { clicked(id: string): void }) => {
      got.push(answer);
      answer.clicked('b');
    });
    await page.settle();
    expect(page.fetched).toContain('https://api.example.com/v1/recommendations?writeKey=wk_site_0001&anonymousId=anon-1&productId=p1&limit=2');
    expect(got).toHaveLength(1);
    const tracked = page.calls.filter((c) => c[0] === 'track').map((c) => [c[1], c[2]]);
    expect(tracked).toEqual([
      ['Recommendation Clicked', { recId: 'r_9', strategy: 'bought-together', variant: 'model', productId: 'b', position: 2 }],
      ['Recommendation Viewed', { recId: 'r_9', strategy: 'bought-together', variant: 'model', productIds: ['a', 'b'] }],
    ]);
  });

  it('gives the recommend callback null when the API is unreachable', async () => {
    const page = fakePage({ fail: true, headSnippet: true });
    runInNewContext(bundle, page.window);
    const got: unknown[][] = [];
    page.window.nurture('recommend', {}, (...a: unknown[]) => got.push(a));
    await page.settle();
    expect(got[0]?.[0]).toBeNull();
    expect(page.calls.some((c) => c[0] === 'track')).toBe(false);
  });

  it('head snippet: hides marked elements before paint and ends the wait by itself', () => {
    const html = personalizeSnippet();
    expect(html).toContain(`<style id="nurture-css">${personalizeCss}</style>`);
    expect(html).toContain('<script async src="/nurture-personalize.min.js"></script>');
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const classes = new Set<string>();
    const timers: (() => void)[] = [];
    runInNewContext(inline, {
      document: { documentElement: { classList: { add: (c: string) => classes.add(c), remove: (c: string) => classes.delete(c) } } },
      setTimeout: (f: () => void) => timers.push(f),
    });
    expect(classes.has(waitClass)).toBe(true);
    timers.forEach((f) => f());
    expect(classes.has(waitClass)).toBe(false);
  });
});

describe('nurture.min.js add-on commands', async () => {
  const core = await bundleTracker();

  /** The core tracker in a bare browser-like context; returns its global and what it fetched. */
  function runCore(queue: unknown[][]) {
    const store = () => {
      const m = new Map<string, string>();
      return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
    };
    const noop = () => undefined;
    const window: Record<string, any> = {
      document: { cookie: '', title: 'Shop', referrer: '', visibilityState: 'visible', currentScript: null, querySelector: () => null, addEventListener: noop },
      location: { href: 'https://shop.example.com/p/1', pathname: '/p/1', search: '', protocol: 'https:' },
      navigator: { userAgent: 'test', language: 'ja' },
      screen: { width: 1, height: 1 },
      history: { pushState: noop, replaceState: noop },
      localStorage: store(),
      sessionStorage: store(),
      addEventListener: noop,
      setTimeout: noop,
      clearTimeout: noop,
      setInterval: noop,
      clearInterval: noop,
      fetch: () => new Promise(noop),
      crypto: { getRandomValues: (a: Uint8Array) => a.fill(7) },
      Intl,
      Promise,
      JSON,
      Date,
      Math,
      Object,
      Array,
      encodeURIComponent,
      decodeURIComponent,
    };
    window.window = window;
    window.self = window;
    window.nurture = Object.assign(function () {}, { q: queue.map((a) => Object.assign(Object.create(null), { ...a, length: a.length })) });
    runInNewContext(core, window);
    return window;
  }

  it('holds an add-on command until the add-on registers, then runs it with the api, key and visitor', () => {
    const got: unknown[][] = [];
    const w = runCore([['init', { api: 'https://api.example.com', writeKey: 'wk_site_0001' }], ['recommend', { productId: 'p1' }, 'cb']]);
    expect(got).toEqual([]);
    w.nurture('use', 'recommend', (...a: unknown[]) => got.push(a));
    expect(got).toHaveLength(1);
    expect(got[0]!.slice(0, 4)).toEqual([{ productId: 'p1' }, 'cb', 'https://api.example.com', 'wk_site_0001']);
    expect(typeof got[0]![4]).toBe('string');
    w.nurture('recommend', { productId: 'p2' });
    expect(got).toHaveLength(2);
  });
});
