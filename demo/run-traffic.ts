/**
 * The core of `npm run demo`: simulated visitors (demo/personas.ts) posted through the public API, as the
 * tracker would post them. Callable from tests; demo/traffic.ts is the command line around it.
 */
import { type Arrival, cast, type Persona, personas, seededRandom, shopper, visitor } from './personas.js';

/** Most visitors and most shoppers one run simulates, and the fastest rate (visitors started per second). */
export const demoLimits = { visitors: 5_000, rate: 200, shoppers: 5_000 } as const;

export interface TrafficOptions {
  /** The Nurture API, e.g. http://127.0.0.1:4000. */
  apiUrl: string;
  writeKey: string;
  visitors: number;
  /**
   * Shoppers of the demo shop (personas.ts `shopper`) sent besides the visitors, mixed in among them
   * (default 0: the B2B story alone, as the e2e tests of its figures want it).
   */
  shoppers?: number;
  /** Visitors started per second (default 25). */
  rate?: number;
  /** The same seed tells the same story (default 7). */
  seed?: number;
  /** Called as each visitor's last batch was accepted. */
  onVisitor?: (persona: string) => void;
}

export interface TrafficResult {
  /** When the first batch was sent: what happened in Nurture since then is this run's doing. */
  startedAt: Date;
  visitors: number;
  /** Visitors per persona, in the order of the personas. */
  byPersona: Record<string, number>;
  /** Events posted (page views, pings, identifies, tracks). */
  events: number;
  /** Every address a visitor identified with. */
  emails: string[];
  /** Who identified with which address. */
  people: { persona: string; email: string }[];
  /** Every visitor sent, in order: the run's own record of who came, from where, as whom. */
  sent: SentVisitor[];
  /** Visitors and events that were not bots: what reaches the event lake (bots never do). */
  humanVisitors: number;
  humanEvents: number;
}

/** One visitor of the run as the demo made it up. */
export interface SentVisitor {
  persona: string;
  bot: boolean;
  anonymousId: string;
  arrival: Arrival;
  emails: string[];
  events: number;
}

/** The API did not accept a batch. */
export class TrafficError extends Error {
  override name = 'TrafficError';
}

/**
 * Tries per batch when the API answers 429 or 5xx (a busy local mode answers 503 "retry later"), with
 * the first pause before a retry doubling each time: what Segment's SDKs and the tracker do.
 */
export const retryPolicy = { attempts: 6, firstPauseMs: 500 } as const;
/** How long one POST may take before it counts as failed and is retried (messageIds make a repeat harmless). */
export const requestTimeoutMs = 30_000;
/**
 * Visitors being sent at once. Past this the run waits for one to finish before starting the next, so a
 * slow local mode (2 busy cores) slows the run down instead of piling up requests until they time out.
 */
export const maxInFlight = 8;

async function post(apiUrl: string, writeKey: string, body: unknown): Promise<void> {
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${apiUrl}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      // No answer in time, or the connection failed: as retryable as a 503.
      status = 0;
      text = (err as Error).message;
    }
    if (status === 200) return;
    const retryable = status === 0 || status === 429 || status >= 500;
    if (!retryable || attempt >= retryPolicy.attempts) {
      throw new TrafficError(`${apiUrl}/v1/batch ${status ? `answered ${status}` : 'did not answer'}${retryable ? ` (${attempt} tries)` : ''}: ${text}`);
    }
    await new Promise((r) => setTimeout(r, retryPolicy.firstPauseMs * 2 ** (attempt - 1)));
  }
}

/** Sends the visitors at the chosen rate; resolves when every batch was accepted. */
export async function runTraffic(opts: TrafficOptions): Promise<TrafficResult> {
  const apiUrl = opts.apiUrl.replace(/\/$/, '');
  const b2b = Math.min(demoLimits.visitors, Math.max(1, Math.floor(opts.visitors)));
  const shoppers = Math.min(demoLimits.shoppers, Math.max(0, Math.floor(opts.shoppers ?? 0)));
  const visitors = b2b + shoppers;
  const rate = Math.min(demoLimits.rate, Math.max(1, opts.rate ?? 25));
  const random = seededRandom(opts.seed ?? 7);
  const all = personas(random);
  const byPersona: Record<string, number> = Object.fromEntries(all.map((p) => [p.name, 0]));
  const order: Persona[] = cast(all, b2b, random);
  if (shoppers > 0) {
    const shop = shopper(random);
    byPersona[shop.name] = 0;
    // Each shopper at a seeded place among the visitors (no extra draws without shoppers: same story).
    for (let i = 0; i < shoppers; i++) order.splice(Math.floor(random() * (order.length + 1)), 0, shop);
  }
  const sent: SentVisitor[] = [];

  const startedAt = new Date();
  const inFlight = new Set<Promise<void>>();
  const failures: unknown[] = [];
  for (const [i, p] of order.entries()) {
    const v = visitor(p, random);
    byPersona[p.name]!++;
    sent.push({ persona: p.name, bot: v.bot, anonymousId: v.anonymousId, arrival: v.arrival, emails: v.emails, events: v.batches.reduce((n, b) => n + b.batch.length, 0) });
    const run = (async () => {
      // One visitor's sessions in order, as one browser would send them.
      for (const body of v.batches) await post(apiUrl, opts.writeKey, body);
      opts.onVisitor?.(p.name);
    })().catch((err: unknown) => void failures.push(err));
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    const due = startedAt.getTime() + ((i + 1) * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failures.length > 0) break;
  }
  await Promise.all(inFlight);
  if (failures.length > 0) throw failures[0];
  const people = sent.flatMap((v) => v.emails.map((email) => ({ persona: v.persona, email })));
  const humans = sent.filter((v) => !v.bot);
  return {
    startedAt,
    visitors,
    byPersona: Object.fromEntries(Object.entries(byPersona).filter(([, n]) => n > 0)),
    events: sent.reduce((n, v) => n + v.events, 0),
    emails: people.map((p) => p.email),
    people,
    sent,
    humanVisitors: humans.length,
    humanEvents: humans.reduce((n, v) => n + v.events, 0),
  };
}
