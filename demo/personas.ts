/**
 * Who visits the demo: the personas of `npm run demo`, each a few sessions on days in the past, and
 * their events as Segment batches (what the tracker would have sent). Seeded, so two runs with the same
 * seed tell the same story; every persona appears at least once when there are enough visitors.
 */
import { randomUUID } from 'node:crypto';
import { productProperties, shopCurrency, shopPairs, shopProducts } from './shop.js';

/** A small seeded generator (LCG), so a seed always picks the same people, pages and days. */
export function seededRandom(seed: number): () => number {
  let s = Math.abs(Math.floor(seed)) % 2 ** 31 || 7;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/**
 * How far back a session may lie, in days. Ingest replaces a timestamp more than 30 days old with the
 * receipt time (functions/ingest/domain/limits.ts `maxClockSkewMs`), so the oldest session stays inside.
 */
export const oldestSessionDays = 29;

const browsers = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];
const bots = ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'];
const first = ['Aiko', 'Ben', 'Carla', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kim', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const last = ['Sato', 'Miller', 'Rossi', 'Patel', 'Novak', 'Haddad', 'Chen', 'Tanaka', 'Silva', 'Berg', 'Lee', 'Wolf'];
const companies = ['Northwind', 'Globex', 'Initech', 'Umbrella Health', 'Stark Retail', 'Wayne Logistics', 'Hooli', 'Vandelay Imports'];
const titles = ['Head of Data', 'Marketing Manager', 'Analyst', 'VP Sales', 'Founder', 'Engineer', 'Director of Operations'];
/** What a buyer's order comes to (JPY, the currency of the demo's costs: demo/imports.ts). */
export const demoOrderTotal = 49_000;

/** Where a visitor comes from: a campaign (UTM values) and the site that referred them, or neither (direct). */
export interface Arrival {
  campaign?: { source: string; medium: string; name: string };
  referrer?: string;
}
/** Where the demo's visitors come from, one picked per visitor. */
export const arrivals: readonly Arrival[] = [
  { campaign: { source: 'google', medium: 'cpc', name: 'brand' }, referrer: 'https://www.google.com/' },
  { campaign: { source: 'newsletter', medium: 'email', name: 'june-digest' } },
  { campaign: { source: 'linkedin', medium: 'paid_social', name: 'forecast-launch' }, referrer: 'https://www.linkedin.com/' },
  { referrer: 'https://www.bing.com/search?q=forecasting+software' },
  {},
];

type Traits = { name: string; email: string; company: string; title: string } & Record<string, unknown>;
export type Step = { page: string } | { track: string; properties?: Record<string, unknown> } | { identify: Traits } | { pings: number };
export interface Session {
  /** Days before now the session began. */
  daysAgo: number;
  steps: Step[];
}

export interface Persona {
  name: string;
  /** Share of the visitors (the shares add up to 1). */
  share: number;
  bot?: boolean;
  /** One visitor's sessions, each on its own day. */
  sessions: () => Session[];
}

/** The personas, drawing their choices from `random`. */
export function personas(random: () => number): Persona[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const person = (domain?: string): Traits => {
    const f = pick(first);
    const l = pick(last);
    const company = pick(companies);
    const host = domain ?? `${company.toLowerCase().replace(/[^a-z]/g, '')}.example`;
    return { name: `${f} ${l}`, email: `${f}.${l}.${Math.floor(random() * 1e6)}@${host}`.toLowerCase(), company, title: pick(titles) };
  };
  const product = () => pick(['/products/insight.html', '/products/pulse.html', '/products/forecast.html']);
  return [
    { name: 'browser', share: 0.22, sessions: () => [{ daysAgo: random() * 9, steps: [{ page: '/' }, { page: '/products.html' }, { page: product() }, { pings: 2 }] }] },
    { name: 'FAQ reader', share: 0.1, sessions: () => [{ daysAgo: random() * 9, steps: [{ page: '/' }, { page: '/faq.html' }, { pings: 4 }, { page: '/faq.html' }] }] },
    {
      name: 'competitor',
      share: 0.04,
      sessions: () => [
        { daysAgo: 3, steps: [{ page: '/pricing.html' }, { page: product() }, { page: product() }, { identify: person('rival-analytics.com') }, { track: 'Form Submitted', properties: { formId: 'contact' } }] },
      ],
    },
    {
      name: 'pricing repeater',
      share: 0.1,
      sessions: () => {
        const who = person();
        return [
          { daysAgo: 6, steps: [{ page: '/' }, { page: '/pricing.html' }, { pings: 3 }, { identify: { ...who, via: 'newsletter' } }] },
          { daysAgo: 4, steps: [{ page: '/pricing.html' }, { pings: 4 }, { page: product() }] },
          { daysAgo: 1, steps: [{ page: '/pricing.html' }, { pings: 6 }] },
        ];
      },
    },
    {
      name: 'form filler',
      share: 0.15,
      sessions: () => [
        { daysAgo: 2 + random() * 3, steps: [{ page: '/' }, { page: product() }, { pings: 3 }, { page: '/pricing.html' }] },
        { daysAgo: random() * 2, steps: [{ page: '/contact.html' }, { identify: person() }, { track: 'Form Submitted', properties: { formId: 'contact' } }] },
      ],
    },
    {
      name: 'brochure downloader',
      share: 0.1,
      sessions: () => [{ daysAgo: random() * 5, steps: [{ page: product() }, { identify: person() }, { track: 'Form Submitted', properties: { formId: 'brochure' } }] }],
    },
    {
      name: 'buyer',
      share: 0.08,
      sessions: () => [
        { daysAgo: 5, steps: [{ page: '/pricing.html' }, { page: product() }, { identify: person() }] },
        { daysAgo: 2, steps: [{ page: '/pricing.html' }, { track: 'Checkout Started', properties: { plan: 'team' } }, { track: 'Order Completed', properties: { orderId: randomUUID(), total: demoOrderTotal, currency: 'JPY' } }] },
      ],
    },
    {
      name: 'cart abandoner',
      share: 0.07,
      sessions: () => [{ daysAgo: random() * 2, steps: [{ page: '/pricing.html' }, { identify: person() }, { track: 'Checkout Started', properties: { plan: 'starter' } }] }],
    },
    {
      // Signed up four weeks ago and never came back: the lead the dormancy sweep finds once it has been
      // quiet for the rules' dormantAfterDays (60), which starts dormant-reengagement.
      name: 'lapsed lead',
      share: 0.04,
      sessions: () => [{ daysAgo: oldestSessionDays - random() * 0.5, steps: [{ page: '/' }, { page: product() }, { pings: 2 }, { identify: { ...person(), via: 'webinar' } }] }],
    },
    { name: 'bot', share: 0.1, bot: true, sessions: () => [{ daysAgo: random() * 9, steps: [{ page: '/' }, { page: '/products.html' }, { page: '/pricing.html' }, { page: '/faq.html' }] }] },
  ];
}

/** Chance that a shopper's order holds one more product, from another category (noise around the pairs). */
export const shopperExtraItemChance = 0.3;

/**
 * The demo shop's customer (demo/shop.ts): one anonymous visit that opens the shop, views a planted pair
 * and sometimes a third product of the category, and orders the pair (now and then with one unrelated
 * product). Shopper k buys pair k mod 18, so every pair is ordered at least twice once there are 36
 * shoppers: the models' minimum support. Not among personas(): shop orders would change the B2B story's
 * figures (orders, attribution), so runTraffic adds shoppers only when asked (`shoppers`).
 */
export function shopper(random: () => number): Persona {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let next = 0;
  return {
    name: 'shopper',
    share: 0,
    sessions: () => {
      const [a, b] = shopPairs[next++ % shopPairs.length]!;
      const view = (p: (typeof shopProducts)[number]): Step[] => [{ page: `/shop/${p.id}.html` }, { track: 'Product Viewed', properties: productProperties(p) }];
      const sameCategory = shopProducts.filter((p) => p.category === a.category && p !== a && p !== b);
      const steps: Step[] = [{ page: '/shop/' }, ...view(a)];
      if (random() < 0.5) steps.push(...view(pick(sameCategory)));
      steps.push(...view(b));
      const basket = [a, b];
      if (random() < shopperExtraItemChance) basket.push(pick(shopProducts.filter((p) => p.category !== a.category)));
      const products = basket.map((p) => ({ ...productProperties(p), quantity: 1 }));
      steps.push(
        { page: '/shop/cart.html' },
        { track: 'Order Completed', properties: { order_id: randomUUID(), total: basket.reduce((n, p) => n + p.price, 0), currency: shopCurrency, products } },
      );
      return [{ daysAgo: random() * 9, steps }];
    },
  };
}

/**
 * Which persona each of `visitors` visitors is: each persona's share of them (largest remainders), at
 * least one of each when there are as many visitors as personas, in a seeded order.
 */
export function cast(all: readonly Persona[], visitors: number, random: () => number): Persona[] {
  const n = Math.max(0, Math.floor(visitors));
  const floor = n >= all.length ? 1 : 0;
  const counts = all.map((p) => Math.max(floor, Math.floor(p.share * n)));
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = all.map((p, i) => ({ i, r: p.share * n - Math.floor(p.share * n) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % all.length, left--) counts[byRemainder[k]!.i]!++;
  // Over-allocated by the at-least-one floor: take back from the largest groups.
  while (left < 0) {
    const i = counts.indexOf(Math.max(...counts));
    counts[i]!--;
    left++;
  }
  const order = all.flatMap((p, i) => Array.from({ length: counts[i]! }, () => p));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** One visitor: its sessions as Segment batches (one POST per session, like the tracker's batching). */
export interface Visitor {
  persona: string;
  bot: boolean;
  anonymousId: string;
  /** Where every session of the visitor came from. */
  arrival: Arrival;
  /** Addresses the visitor identified with (empty for anonymous visitors and bots). */
  emails: string[];
  batches: { batch: Record<string, unknown>[] }[];
}

export function visitor(p: Persona, random: () => number, now = Date.now()): Visitor {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const anonymousId = randomUUID();
  const ua = p.bot ? pick(bots) : pick(browsers);
  const arrival = pick(arrivals);
  const { campaign, referrer } = arrival;
  const emails: string[] = [];
  const batches = p.sessions().map(({ daysAgo, steps }) => {
    let t = now - daysAgo * 86_400_000;
    let path = '/';
    const batch: Record<string, unknown>[] = [];
    // The first page of a session came from the referring site; the next ones from the site itself.
    let from = referrer;
    const context = () => ({
      userAgent: ua,
      page: { path, url: `https://www.acme-analytics.example${path}`, ...(from ? { referrer: from } : {}) },
      ...(campaign ? { campaign } : {}),
      timezone: 'Europe/Berlin',
    });
    for (const step of steps) {
      t += 5_000 + random() * 40_000;
      const base = { messageId: randomUUID(), anonymousId, timestamp: new Date(Math.min(t, now)).toISOString() };
      if ('page' in step) {
        path = step.page;
        batch.push({ ...base, type: 'page', properties: { path }, context: context() });
        from = `https://www.acme-analytics.example${path}`;
      } else if ('pings' in step) {
        for (let i = 0; i < step.pings; i++) {
          batch.push({ ...base, messageId: randomUUID(), type: 'track', event: 'Page Ping', properties: { seconds: 15, path }, context: context(), timestamp: new Date(Math.min((t += 15_000), now)).toISOString() });
        }
      } else if ('identify' in step) {
        emails.push(step.identify.email);
        batch.push({ ...base, type: 'identify', traits: step.identify, context: context() });
      } else {
        batch.push({ ...base, type: 'track', event: step.track, properties: step.properties ?? {}, context: context() });
      }
    }
    return { batch };
  });
  return { persona: p.name, bot: p.bot === true, anonymousId, arrival, emails, batches };
}
