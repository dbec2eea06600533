/**
 * `npm run demo`: simulated visitors for a running `npm start`, so the product tells its story in
 * minutes: anonymous browsing, FAQ readers, competitors, repeat pricing visitors who never ask, form
 * fillers, brochure downloaders, buyers, cart abandoners and bots. Their events carry timestamps spread
 * over the last days (a return visit on Tuesday, another on Thursday), as the tracker would have sent
 * them, through the same public API.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { type LocalPorts, portsFromEnv } from '../local/runtime/ports.js';

let ports: LocalPorts;
try {
  // The same NURTURE_<NAME>_PORT settings as npm start, so the demo finds the API it started.
  ports = portsFromEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    visitors: { type: 'string', default: '300' },
    rate: { type: 'string', default: '25' },
    api: { type: 'string', default: process.env.NURTURE_API_URL ?? `http://127.0.0.1:${ports.api}` },
    'write-key': { type: 'string' },
    'admin-token': { type: 'string' },
    'data-dir': { type: 'string', default: process.env.NURTURE_DATA_DIR ?? join(process.cwd(), '.nurture', 'data') },
    seed: { type: 'string', default: '7' },
  },
});

/** Most visitors one run simulates, and the fastest rate (visitors started per second). */
export const demoLimits = { visitors: 5_000, rate: 200 } as const;

const secretsFile = join(values['data-dir']!, 'local.json');
const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { writeKey: string; adminToken: string }) : undefined;
const writeKey = values['write-key'] ?? secrets?.writeKey;
const adminToken = values['admin-token'] ?? secrets?.adminToken;
if (!writeKey) {
  console.error(`No write key: start Nurture first (npm start), or pass --write-key (looked in ${secretsFile}).`);
  process.exit(2);
}
const visitors = Math.min(demoLimits.visitors, Math.max(1, Number(values.visitors)));
const rate = Math.min(demoLimits.rate, Math.max(1, Number(values.rate)));
const api = values.api!.replace(/\/$/, '');

// A small seeded generator, so two runs with the same --seed tell the same story.
let seed = Number(values.seed) || 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

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
const campaigns = [
  { source: 'google', medium: 'cpc', name: 'brand' },
  { source: 'newsletter', medium: 'email', name: 'june-digest' },
  { source: 'linkedin', medium: 'social', name: 'forecast-launch' },
  undefined,
];

type Step = { page: string } | { track: string; properties?: Record<string, unknown> } | { identify: Record<string, unknown> } | { pings: number };

interface Persona {
  name: string;
  share: number;
  bot?: boolean;
  /** Sessions, each on its own day (days ago), each a list of steps. */
  sessions: () => { daysAgo: number; steps: Step[] }[];
}

const person = (domain?: string) => {
  const f = pick(first);
  const l = pick(last);
  const company = pick(companies);
  return {
    name: `${f} ${l}`,
    email: `${f}.${l}.${Math.floor(random() * 1e6)}@${domain ?? `${company.toLowerCase().replace(/[^a-z]/g, '')}.example`}`.toLowerCase(),
    company,
    title: pick(titles),
  };
};

const product = () => pick(['/products/insight.html', '/products/pulse.html', '/products/forecast.html']);

const personas: Persona[] = [
  { name: 'browser', share: 0.26, sessions: () => [{ daysAgo: random() * 9, steps: [{ page: '/' }, { page: '/products.html' }, { page: product() }, { pings: 2 }] }] },
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
      { daysAgo: 2, steps: [{ page: '/pricing.html' }, { track: 'Checkout Started', properties: { plan: 'team' } }, { track: 'Order Completed', properties: { orderId: randomUUID(), total: 490, currency: 'USD' } }] },
    ],
  },
  {
    name: 'cart abandoner',
    share: 0.07,
    sessions: () => [{ daysAgo: random() * 2, steps: [{ page: '/pricing.html' }, { identify: person() }, { track: 'Checkout Started', properties: { plan: 'starter' } }] }],
  },
  { name: 'bot', share: 0.1, bot: true, sessions: () => [{ daysAgo: random() * 9, steps: [{ page: '/' }, { page: '/products.html' }, { page: '/pricing.html' }, { page: '/faq.html' }] }] },
];

function choosePersona(): Persona {
  let r = random();
  for (const p of personas) if ((r -= p.share) < 0) return p;
  return personas[0]!;
}

/** One visitor's sessions as Segment batches (one POST per session, like the tracker's batching). */
function visitorBatches(p: Persona): { batch: Record<string, unknown>[] }[] {
  const anonymousId = randomUUID();
  const ua = p.bot ? pick(bots) : pick(browsers);
  const campaign = pick(campaigns);
  const now = Date.now();
  return p.sessions().map(({ daysAgo, steps }) => {
    let t = now - daysAgo * 86_400_000;
    let path = '/';
    const batch: Record<string, unknown>[] = [];
    const context = () => ({ userAgent: ua, page: { path, url: `https://www.acme-analytics.example${path}` }, ...(campaign ? { campaign } : {}), timezone: 'Europe/Berlin' });
    for (const step of steps) {
      t += 5_000 + random() * 40_000;
      const base = { messageId: randomUUID(), anonymousId, timestamp: new Date(Math.min(t, now)).toISOString() };
      if ('page' in step) {
        path = step.page;
        batch.push({ ...base, type: 'page', properties: { path }, context: context() });
      } else if ('pings' in step) {
        for (let i = 0; i < step.pings; i++) {
          batch.push({ ...base, messageId: randomUUID(), type: 'track', event: 'Page Ping', properties: { seconds: 15, path }, context: context(), timestamp: new Date(Math.min((t += 15_000), now)).toISOString() });
        }
      } else if ('identify' in step) {
        batch.push({ ...base, type: 'identify', traits: step.identify, context: context() });
      } else {
        batch.push({ ...base, type: 'track', event: step.track, properties: step.properties ?? {}, context: context() });
      }
    }
    return { batch };
  });
}

async function post(body: unknown): Promise<void> {
  const res = await fetch(`${api}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${api}/v1/batch answered ${res.status}: ${await res.text()}`);
}

try {
  await fetch(`${api}/v1/batch`, { method: 'OPTIONS' });
} catch {
  console.error(`Nurture is not answering at ${api}: start it with npm start (or pass --api).`);
  process.exit(1);
}

const counts: Record<string, number> = {};
const bar = new SingleBar({ format: 'Simulating visitors [{bar}] {value}/{total} | {persona}', hideCursor: true }, Presets.shades_classic);
bar.start(visitors, 0, { persona: '' });
const started = Date.now();
const inFlight = new Set<Promise<void>>();
for (let i = 0; i < visitors; i++) {
  const p = choosePersona();
  counts[p.name] = (counts[p.name] ?? 0) + 1;
  const run = (async () => {
    for (const body of visitorBatches(p)) await post(body);
    bar.increment(1, { persona: p.name });
  })();
  inFlight.add(run);
  void run.finally(() => inFlight.delete(run));
  // Start visitors at the chosen rate.
  const due = started + ((i + 1) * 1000) / rate;
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
}
await Promise.all(inFlight);
bar.stop();

console.log(`\n${visitors} visitors: ${Object.entries(counts).map(([k, v]) => `${v} ${k}s`).join(', ')}.`);
console.log('Scoring, scenarios and mail run in the background now; give them a few seconds.\n');
if (adminToken) {
  await new Promise((r) => setTimeout(r, 5_000));
  const res = await fetch(`${api}/v1/admin/leads?limit=10`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.ok) {
    const { leads } = (await res.json()) as { leads: { email?: string; company?: string; stage: string; score: number }[] };
    console.log('Hottest leads now:');
    for (const l of leads) console.log(`  ${String(l.score).padStart(7)}  ${l.stage.padEnd(9)} ${l.email ?? '(anonymous)'} ${l.company ? `(${l.company})` : ''}`);
  }
}
console.log(`
What to look at:
- hot leads:        curl -H "Authorization: Bearer <admin token>" ${api}/v1/admin/leads
- one lead's story: curl -H "Authorization: Bearer <admin token>" ${api}/v1/admin/profiles/email:<address>
- qualified leads:  the [event] lead.stage_changed lines in the npm start console
- sent mail:        the SES inbox URL printed by npm start (coupons, reminders, brochure series)
- competitors score below zero, FAQ readers lose points, bots never appear`);
