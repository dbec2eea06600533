import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { activitySource, leadSource } from '../../shared/domain-events.js';
import type { DomainEventOut } from '../domain/score.js';

/** PutEvents takes at most 10 entries a call... */
const entriesPerCall = 10;
/** ...of at most 256 KB together (kept a little under), sized as EventBridge counts them. */
const bytesPerCall = 250 * 1024;
const attempts = 3;

const utf8 = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
const entryBytes = (e: PutEventsRequestEntry) => 14 + utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail);

/** Entries grouped into PutEvents calls within both limits, in order. */
export function putEventsCalls(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const calls: PutEventsRequestEntry[][] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    const last = calls.at(-1);
    if (last && last.length < entriesPerCall && size + bytes <= bytesPerCall) {
      last.push(entry);
      size += bytes;
    } else {
      calls.push([entry]);
      size = bytes;
    }
  }
  return calls;
}

/**
 * Publishes domain events to the bus. Delivery is at least once: consumers deduplicate by
 * `detail.messageId` (scenario enrollment does, through deterministic execution names).
 */
export class DomainEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEventOut[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((e) => ({
      EventBusName: this.busName,
      Source: 'activity' in e ? activitySource : leadSource,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      Time: new Date(e.detail.occurredAt),
    }));
    for (const call of putEventsCalls(entries)) {
      let pending = call;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await this.client.send(new PutEventsCommand({ Entries: pending }));
        if (!res.FailedEntryCount) break;
        if (attempt >= attempts) throw new Error(`EventBridge refused ${res.FailedEntryCount} events after ${attempts} attempts`);
        pending = pending.filter((_, j) => res.Entries?.[j]?.ErrorCode);
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
