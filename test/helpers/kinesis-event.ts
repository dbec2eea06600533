import type { KinesisStreamEvent } from 'aws-lambda';
import type { CollectedEvent } from '../../functions/ingest/domain/enrich.js';

/** Zero-padded sequence numbers, so string order and numeric order agree as on Kinesis. */
export const seqOf = (n: number) => String(49_000_000_000_000_000_000n + BigInt(n));

/** A Kinesis event source batch as Lambda delivers it: records in order, from one shard. */
export function kinesisBatch(events: CollectedEvent[], opts: { shard?: string; firstSeq?: number } = {}): KinesisStreamEvent {
  const shard = opts.shard ?? 'shardId-000000000000';
  const first = opts.firstSeq ?? 1;
  return {
    Records: events.map((e, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: e.anonymousId ?? e.userId ?? e.messageId,
        sequenceNumber: seqOf(first + i),
        data: Buffer.from(JSON.stringify(e)).toString('base64'),
        approximateArrivalTimestamp: Date.parse(e.receivedAt) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shard}:${seqOf(first + i)}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/nurture-events',
    })),
  };
}
