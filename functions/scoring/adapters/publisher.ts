import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { activitySource, leadSource } from '../../shared/domain-events.js';
import type { DomainEventOut } from '../domain/score.js';

/** PutEvents takes at most 10 entries a call. */
const entriesPerCall = 10;
const attempts = 3;

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
    for (let i = 0; i < entries.length; i += entriesPerCall) {
      let pending = entries.slice(i, i + entriesPerCall);
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
