import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  MAX_QUEUE,
  VERSION,
  type Env,
  type Queued,
  buildMessage,
  byteLength,
  pageInfo,
  parseQueue,
  parseUtm,
  requeue,
  resolveCampaign,
  splitBatches,
  uuid,
} from '../../../tracker/src/core.js';
import { GZIP_BUDGET, bundleTracker, measure } from '../../../tracker/size.js';
import { snippet } from '../../../tracker/snippet.js';
import { renderSite } from '../../../demo/site/pages.js';

const env: Env = {
  page: pageInfo(
    { href: 'https://www.example.com/pricing?utm_source=x#plans', pathname: '/pricing', search: '?utm_source=x' },
    'Pricing',
    'https://google.com/',
  ),
  userAgent: 'Mozilla/5.0 test',
  locale: 'ja-JP',
  timezone: 'Asia/Tokyo',
  screen: { width: 1440, height: 900 },
  campaign: { source: 'x' },
};

const msg = (i: number, pad = 0): Queued => ({ m: { type: 'track', event: 'E' + i, messageId: 'm' + i, pad: 'x'.repeat(pad) }, n: 0 });

describe('parseUtm', () => {
  it('maps utm_* to Segment campaign fields', () => {
    expect(
      parseUtm('?utm_source=google&utm_medium=cpc&utm_campaign=spring%20sale&utm_term=ma+tool&utm_content=ad1&x=1'),
    ).toEqual({ source: 'google', medium: 'cpc', name: 'spring sale', term: 'ma tool', content: 'ad1' });
  });
  it('keeps only the parameters present and ignores empty ones', () => {
    expect(parseUtm('?utm_source=newsletter&utm_medium=')).toEqual({ source: 'newsletter' });
  });
  it('is undefined without UTM', () => {
    expect(parseUtm('')).toBeUndefined();
    expect(parseUtm('?q=1&utm=2')).toBeUndefined();
  });
});

describe('resolveCampaign', () => {
  it('uses and asks to remember the UTM of the current URL', () => {
    const r = resolveCampaign('?utm_source=a', JSON.stringify({ source: 'old' }));
    expect(r.campaign).toEqual({ source: 'a' });
    expect(JSON.parse(r.store!)).toEqual({ source: 'a' });
  });
  it('falls back to the campaign remembered on landing', () => {
    expect(resolveCampaign('?page=2', JSON.stringify({ source: 'a', name: 'b' }))).toEqual({
      campaign: { source: 'a', name: 'b' },
    });
  });
  it('survives nothing or garbage remembered', () => {
    expect(resolveCampaign('', null)).toEqual({});
    expect(resolveCampaign('', '{not json')).toEqual({});
    expect(resolveCampaign('', '42')).toEqual({});
  });
});

describe('pageInfo', () => {
  it('reports the URL without its fragment', () => {
    expect(env.page).toEqual({
      path: '/pricing',
      referrer: 'https://google.com/',
      search: '?utm_source=x',
      title: 'Pricing',
      url: 'https://www.example.com/pricing?utm_source=x',
    });
  });
});

describe('buildMessage', () => {
  const now = new Date('2025-01-02T03:04:05.678Z');
  it('builds a Segment track message with the full context', () => {
    const m = buildMessage('track', { event: 'Form Submitted', properties: { formId: 'contact' } }, { anonymousId: 'a1', userId: 'u1' }, env, now, 'mid');
    expect(m).toEqual({
      type: 'track',
      messageId: 'mid',
      anonymousId: 'a1',
      userId: 'u1',
      timestamp: '2025-01-02T03:04:05.678Z',
      event: 'Form Submitted',
      properties: { formId: 'contact' },
      context: {
        page: env.page,
        userAgent: 'Mozilla/5.0 test',
        locale: 'ja-JP',
        timezone: 'Asia/Tokyo',
        screen: { width: 1440, height: 900 },
        campaign: { source: 'x' },
        library: { name: 'nurture.js', version: VERSION },
      },
    });
  });
  it('omits an unknown userId and lets the body override it (alias)', () => {
    const anon = buildMessage('identify', { traits: { email: 'a@b.c' } }, { anonymousId: 'a1', userId: null }, env, now, 'm');
    expect(anon).not.toHaveProperty('userId');
    const alias = buildMessage('alias', { previousId: 'a1', userId: 'u2' }, { anonymousId: 'a1', userId: 'u1' }, env, now, 'm');
    expect(alias).toMatchObject({ type: 'alias', previousId: 'a1', userId: 'u2' });
  });
  it('serializes without the campaign when there is none', () => {
    const m = buildMessage('page', {}, { anonymousId: 'a' }, { ...env, campaign: undefined }, now, 'm');
    expect(JSON.parse(JSON.stringify(m)).context).not.toHaveProperty('campaign');
  });
});

describe('splitBatches', () => {
  const sentAt = '2025-01-02T03:04:05.678Z';
  it('puts a small queue in one body with batch, sentAt and writeKey', () => {
    const items = [msg(1), msg(2)];
    const out = splitBatches(items, 'KEY', sentAt);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!.body)).toEqual({ batch: items.map((i) => i.m), sentAt, writeKey: 'KEY' });
    expect(out[0]!.items).toEqual(items);
  });
  it('splits under the byte limit, keeping every message in order', () => {
    const items = Array.from({ length: 50 }, (_, i) => msg(i, 5000 + i * 37));
    const out = splitBatches(items, 'KEY', sentAt);
    expect(out.length).toBeGreaterThan(1);
    for (const b of out) {
      expect(byteLength(b.body)).toBeLessThanOrEqual(60000);
      expect(JSON.parse(b.body).batch).toEqual(b.items.map((i) => i.m));
    }
    expect(out.flatMap((b) => b.items)).toEqual(items);
  });
  it('counts bytes, not characters', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ m: { type: 'track', event: 'E', t: '見'.repeat(3000), i }, n: 0 }));
    const out = splitBatches(items, 'KEY', sentAt, 30000);
    for (const b of out) expect(Buffer.byteLength(b.body)).toBeLessThanOrEqual(30000);
    expect(out.flatMap((b) => b.items)).toHaveLength(10);
  });
  it('fills bodies up to exactly the limit', () => {
    const items = [msg(1, 100), msg(2, 100), msg(3, 100)];
    const one = splitBatches(items, 'K', sentAt);
    const exact = Buffer.byteLength(one[0]!.body);
    expect(splitBatches(items, 'K', sentAt, exact)).toHaveLength(1);
    expect(splitBatches(items, 'K', sentAt, exact - 1)).toHaveLength(2);
  });
  it('drops messages that are too big to ever be accepted', () => {
    const big = msg(2, 40000);
    const out = splitBatches([msg(1), big, msg(3)], 'KEY', sentAt);
    expect(out.flatMap((b) => b.items)).toEqual([msg(1), msg(3)]);
  });
  it('returns nothing for nothing', () => {
    expect(splitBatches([], 'KEY', sentAt)).toEqual([]);
  });
});

describe('retry queue', () => {
  it('counts an attempt and appends failed messages after the stored ones', () => {
    const q = requeue([{ m: { messageId: 'old' }, n: 2 }], [msg(1), msg(2)]);
    expect(q.map((i) => [i.m.messageId, i.n])).toEqual([
      ['old', 2],
      ['m1', 1],
      ['m2', 1],
    ]);
  });
  it(`drops a message after ${MAX_ATTEMPTS} attempts`, () => {
    let q: Queued[] = [];
    let inFlight = [msg(1)];
    let attempts = 0;
    while (inFlight.length) {
      attempts++; // a send attempt that fails
      q = requeue(q, inFlight);
      inFlight = q; // retried on the next load
      q = [];
    }
    expect(attempts).toBe(MAX_ATTEMPTS);
  });
  it(`keeps at most ${MAX_QUEUE} messages, dropping the oldest`, () => {
    const stored = Array.from({ length: 90 }, (_, i) => msg(i));
    const failed = Array.from({ length: 30 }, (_, i) => msg(100 + i));
    const q = requeue(stored, failed);
    expect(q).toHaveLength(MAX_QUEUE);
    expect(q[0]!.m.messageId).toBe('m20');
    expect(q.at(-1)!.m.messageId).toBe('m129');
  });
  it('parses the stored queue defensively', () => {
    expect(parseQueue(null)).toEqual([]);
    expect(parseQueue('oops')).toEqual([]);
    expect(parseQueue('{"m":1}')).toEqual([]);
    expect(parseQueue('[{"m":{"a":1},"n":1},{"m":null,"n":1},{"m":{}},7,null]')).toEqual([{ m: { a: 1 }, n: 1 }]);
  });
});

describe('uuid', () => {
  it('makes distinct v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, uuid));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('snippet', () => {
  it('defines the command queue, queues init and page, loads the tracker asynchronously', () => {
    const s = snippet({ api: 'https://api.example.com', writeKey: 'KEY', src: 'https://cdn.example.com/nurture.min.js' });
    expect(s).toContain(
      'window.nurture = window.nurture || function(){(window.nurture.q = window.nurture.q || []).push(arguments)};',
    );
    expect(s).toContain(`nurture('init', {api: "https://api.example.com", writeKey: "KEY"});`);
    expect(s).toContain("nurture('page');");
    expect(s).toContain('<script async src="https://cdn.example.com/nurture.min.js"></script>');
  });
  it('cannot be broken out of by its values', () => {
    const s = snippet({ api: '</script><script>alert(1)</script>', writeKey: '"k', src: '/x.js?a=1&b="2"' });
    expect(s.match(/<\/script>/g)).toHaveLength(2);
    expect(s).toContain('src="/x.js?a=1&amp;b=&quot;2&quot;"');
  });
  it('replays in order: the queue function records every call', () => {
    const s = snippet({ api: 'A', writeKey: 'K', src: '/n.js' });
    const code = s.split('<script>\n')[1]!.split('</script>')[0]!;
    const window: any = {};
    new Function('window', 'nurture', code.replace(/^nurture\(/gm, 'window.nurture('))(window);
    expect(window.nurture.q.map((a: IArguments) => Array.from(a))).toEqual([['init', { api: 'A', writeKey: 'K' }], ['page']]);
  });
});

describe('demo site pages', () => {
  // Rendered from the one layout as local mode serves them, with placeholders for the API and write key.
  const site = renderSite({ apiUrl: '%%NURTURE_API%%', writeKey: '%%NURTURE_WRITE_KEY%%' });
  const expected = snippet({ api: '%%NURTURE_API%%', writeKey: '%%NURTURE_WRITE_KEY%%', src: '/nurture.min.js' });
  it('has the pages the e2e tests rely on', () => {
    expect([...site.keys()].sort()).toEqual(
      ['/contact.html', '/faq.html', '/index.html', '/pricing.html', '/products.html', '/products/forecast.html', '/products/insight.html', '/products/pulse.html'].sort(),
    );
  });
  it.each([...site])('%s has the snippet in <head>, links every page and marks itself in the navigation', (path, html) => {
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain(expected);
    for (const href of ['/', '/products.html', '/products/insight.html', '/products/pulse.html', '/products/forecast.html', '/pricing.html', '/faq.html', '/contact.html'])
      expect(html).toContain(`href="${href}"`);
    expect(html.match(/aria-current="page"/g)).toHaveLength(1);
    expect(html).toContain(`href="${path === '/index.html' ? '/' : path}" aria-current="page"`);
  });
  it('contact page embeds Nurture\'s contact form against the API, and links the brochure landing page', () => {
    const html = site.get('/contact.html')!;
    expect(html).toContain('id="contact-form" data-nurture-form="contact"');
    expect(html).toContain('<script src="/nurture-forms.min.js" data-api="%%NURTURE_API%%" async></script>');
    expect(html).toContain('href="%%NURTURE_API%%/p/brochure"');
    expect(html).not.toContain('%API%');
  });
  it('product pages report "Product Viewed" with the product id', () => {
    for (const id of ['insight', 'pulse', 'forecast']) {
      const html = site.get(`/products/${id}.html`)!;
      expect(html.slice(0, html.indexOf('</head>'))).toContain(`nurture('track', 'Product Viewed', {product_id: '${id}'`);
    }
  });
});

describe('bundle', () => {
  it(`stays within ${GZIP_BUDGET} bytes min+gzip`, async () => {
    const code = await bundleTracker();
    const { minBytes, gzipBytes } = measure(code);
    expect(minBytes).toBeGreaterThan(1000);
    expect(gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET);
    expect(code).not.toMatch(/\bimport\b|\bexport\b/); // a self-contained IIFE
  });
});
