import { randomUUID } from 'node:crypto';
import { host, listenOn } from './start.js';
import { createServer, type Server } from 'node:http';
import type { EventBridgeEvent } from 'aws-lambda';
import { matches, type Pattern } from './event-pattern.js';

export type BusEvent = EventBridgeEvent<string, Record<string, unknown>> & { 'event-bus-name': string };

export interface BusRule {
  name: string;
  pattern: Pattern;
  target: (event: BusEvent) => Promise<unknown>;
}

/** How many delivered events the bus remembers for inspection (oldest dropped). */
export const busHistoryLimit = 10_000;
/** Deliveries of one event to one failing target before it is given up (EventBridge retries up to 185). */
export const busMaxAttempts = 3;

/**
 * The local stand-in for EventBridge: an HTTP endpoint speaking PutEvents (so handlers use the real
 * EventBridgeClient through AWS_ENDPOINT_URL_EVENTBRIDGE), rule matching with event patterns, and
 * asynchronous delivery to in-process targets, like EventBridge's own at-least-once delivery.
 */
export class LocalEventBus {
  readonly history: BusEvent[] = [];
  private readonly rules: BusRule[] = [];
  private readonly server: Server;
  private readonly pending = new Set<Promise<void>>();
  private readonly listeners = new Set<(e: BusEvent) => void>();

  constructor(private readonly region = 'us-east-1') {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          body = {};
        }
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target.endsWith('.PutEvents')) {
          res.end(JSON.stringify(this.putEvents((body.Entries as Record<string, unknown>[]) ?? [])));
        } else {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `local bus supports PutEvents only, not ${target}` }));
        }
      });
    });
  }

  async listen(port: number): Promise<string> {
    return `http://${host}:${await listenOn(this.server, port, 'eventbridge')}`;
  }

  async close(): Promise<void> {
    await this.drain();
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  addRule(rule: BusRule): void {
    this.rules.push(rule);
  }

  /** Calls `listener` for every event put on the bus (tests, the admin API). Returns an unsubscribe. */
  onEvent(listener: (e: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until every delivery started so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Puts entries as PutEvents does: each gets an id, matching rules' targets run asynchronously. */
  putEvents(entries: Record<string, unknown>[]) {
    const out = entries.map((entry) => {
      let detail: Record<string, unknown>;
      try {
        detail = JSON.parse(String(entry.Detail ?? '{}')) as Record<string, unknown>;
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': String(entry.DetailType ?? ''),
        source: String(entry.Source ?? ''),
        account: '000000000000',
        time: entry.Time ? new Date(Number(entry.Time) * 1000 || String(entry.Time)).toISOString() : new Date().toISOString(),
        region: this.region,
        resources: (entry.Resources as string[]) ?? [],
        detail,
        'event-bus-name': String(entry.EventBusName ?? 'default'),
      };
      this.publish(event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: out.filter((e) => 'ErrorCode' in e).length, Entries: out };
  }

  private publish(event: BusEvent) {
    this.history.push(event);
    if (this.history.length > busHistoryLimit) this.history.shift();
    for (const l of this.listeners) l(event);
    for (const rule of this.rules) {
      if (!matches(rule.pattern, event)) continue;
      const delivery = this.deliver(rule, event);
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  private async deliver(rule: BusRule, event: BusEvent) {
    for (let attempt = 1; attempt <= busMaxAttempts; attempt++) {
      try {
        await rule.target(event);
        return;
      } catch (err) {
        if (attempt === busMaxAttempts) console.error(`[bus] rule ${rule.name} gave up on ${event.id}:`, err);
        else await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
}
