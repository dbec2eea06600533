import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { CollectedEvent } from '../domain/enrich.js';
import { SinkUnavailableError } from '../errors.js';
import { limits } from '../domain/limits.js';

/**
 * One visitor's events share a partition key, so they stay in order on one shard. Events made by Nurture
 * itself for a known profile (email opens and clicks) carry only the profile id.
 */
export function partitionKeyOf(
  event: Pick<CollectedEvent, 'anonymousId' | 'userId' | 'messageId'> & { nurture?: { profileId?: string } },
): string {
  return event.anonymousId ?? event.userId ?? event.nurture?.profileId ?? event.messageId;
}

const encoder = new TextEncoder();

/**
 * Writes events with PutRecords (500 records a call). Records Kinesis rejects (throttling, internal
 * errors) are retried with backoff; only what is still rejected after the last attempt fails the request,
 * as a retryable 503. A retried client resends ids the stream may already hold: downstream dedups by
 * messageId.
 */
export class KinesisSink {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async put(events: CollectedEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += limits.putRecordsMax) {
      await this.putChunk(
        events.slice(i, i + limits.putRecordsMax).map((e) => ({
          PartitionKey: partitionKeyOf(e),
          Data: encoder.encode(JSON.stringify(e)),
        })),
      );
    }
  }

  private async putChunk(records: PutRecordsRequestEntry[]): Promise<void> {
    let pending = records;
    for (let attempt = 1; attempt <= limits.putAttempts; attempt++) {
      let failed: PutRecordsRequestEntry[];
      try {
        const res = await this.kinesis.send(new PutRecordsCommand({ StreamName: this.streamName, Records: pending }));
        if (!res.FailedRecordCount) return;
        // Results are positional; retry only the failed entries, keeping their relative order.
        failed = pending.filter((_, i) => res.Records?.[i]?.ErrorCode);
      } catch (err) {
        if (attempt === limits.putAttempts) {
          throw new SinkUnavailableError('events could not be stored; retry later', { cause: err });
        }
        failed = pending;
      }
      pending = failed;
      if (attempt < limits.putAttempts) await this.sleep(25 * 2 ** attempt);
    }
    throw new SinkUnavailableError(`${pending.length} events could not be stored; retry later`);
  }
}
