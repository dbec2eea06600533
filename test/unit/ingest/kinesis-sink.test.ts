import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisSink, partitionKeyOf } from '../../../functions/ingest/adapters/kinesis-sink.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';

const kinesisMock = mockClient(KinesisClient);
afterEach(() => kinesisMock.reset());

function event(i: number): CollectedEvent {
  return {
    type: 'track',
    event: `E${i}`,
    messageId: `m${i}`,
    anonymousId: `a${i % 3}`,
    context: {},
    timestamp: '2026-05-01T00:00:00.000Z',
    receivedAt: '2026-05-01T00:00:00.000Z',
    source: 'k',
    nurture: { v: 1, bot: false },
  };
}

const noSleep = async () => undefined;
const sentIds = (call: number) =>
  (kinesisMock.commandCalls(PutRecordsCommand)[call]?.args[0].input.Records ?? []).map(
    (r) => (JSON.parse(new TextDecoder().decode(r.Data)) as CollectedEvent).messageId,
  );

describe('Kinesis sink', () => {
  it('retries only the records Kinesis rejected, in their order', async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 2,
        Records: [{ SequenceNumber: '1' }, { ErrorCode: 'ProvisionedThroughputExceededException' }, { SequenceNumber: '3' }, { ErrorCode: 'InternalFailure' }],
      })
      .resolves({ FailedRecordCount: 0, Records: [] });
    await new KinesisSink(new KinesisClient({}), 's', noSleep).put([0, 1, 2, 3].map(event));
    expect(sentIds(1)).toEqual(['m1', 'm3']);
  });

  it('fails with a retryable 503 when records are still rejected after the last attempt', async () => {
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure' }] });
    await expect(new KinesisSink(new KinesisClient({}), 's', noSleep).put([event(0)])).rejects.toMatchObject({
      statusCode: 503,
      details: { retryable: true },
    });
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(4);
  });

  it('turns a Kinesis outage into a 503, not a 500', async () => {
    kinesisMock.on(PutRecordsCommand).rejects(new Error('socket hang up'));
    await expect(new KinesisSink(new KinesisClient({}), 's', noSleep).put([event(0)])).rejects.toMatchObject({ statusCode: 503 });
  });

  it('splits more than 500 events into several calls', async () => {
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });
    await new KinesisSink(new KinesisClient({}), 's', noSleep).put(Array.from({ length: 1201 }, (_, i) => event(i)));
    expect(kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records?.length)).toEqual([500, 500, 201]);
  });

  it('keys records by anonymousId, else userId', () => {
    expect(partitionKeyOf({ anonymousId: 'a', userId: 'u', messageId: 'm' })).toBe('a');
    expect(partitionKeyOf({ userId: 'u', messageId: 'm' })).toBe('u');
  });
});
