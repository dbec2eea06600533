import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { batchesOf, FirehoseLake, firehoseLimits, maxPutAttempts, packRecords } from '../../../functions/analytics/adapters/firehose-lake.js';
import { eventRow } from '../../../functions/analytics/domain/lake-rows.js';
import { LakeWriteError } from '../../../functions/analytics/errors.js';
import { track } from '../../helpers/events.js';

const firehose = mockClient(FirehoseClient);
afterEach(() => firehose.reset());

const rows = (n: number, props: Record<string, unknown> = {}) => Array.from({ length: n }, (_, i) => eventRow(track('Signed Up', { i, ...props }), `p-${i}`));
const linesOf = (data: Uint8Array) => Buffer.from(data).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message_id: string });
const sentRecords = () => firehose.commandCalls(PutRecordBatchCommand).flatMap((c) => c.args[0].input.Records ?? []);
const ok = (n: number) => ({ FailedPutCount: 0, RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })) });
const noSleep = async () => undefined;

describe('packing lake rows into Firehose records', () => {
  it('puts a Kinesis batch’s rows into one record, newline-delimited, in order', () => {
    const input = rows(100);
    const records = packRecords(input);
    expect(records).toHaveLength(1);
    expect(linesOf(records[0]!.data).map((r) => r.message_id)).toEqual(input.map((r) => r.message_id));
  });

  it('starts a new record at maxRowsPerRecord rows or before maxRecordBytes', () => {
    expect(packRecords(rows(firehoseLimits.maxRowsPerRecord + 1)).map((r) => r.rows)).toEqual([firehoseLimits.maxRowsPerRecord, 1]);
    // ~3 KB rows (long path, large properties): the byte limit binds before the row limit.
    const big = rows(1200, { path: `/${'p'.repeat(1000)}`, blob: 'x'.repeat(900) });
    const records = packRecords(big);
    expect(records.length).toBeGreaterThan(3);
    for (const r of records) {
      expect(r.data.length).toBeLessThanOrEqual(firehoseLimits.maxRecordBytes);
      expect(r.rows).toBeLessThan(firehoseLimits.maxRowsPerRecord);
    }
    expect(records.reduce((n, r) => n + r.rows, 0)).toBe(1200);
  });

  it('groups records into calls of at most maxBatchRecords and maxBatchBytes', () => {
    const small = Array.from({ length: 1201 }, () => ({ data: new Uint8Array(10), rows: 1 }));
    expect(batchesOf(small).map((b) => b.length)).toEqual([500, 500, 201]);
    const large = Array.from({ length: 9 }, () => ({ data: new Uint8Array(firehoseLimits.maxRecordBytes), rows: 500 }));
    const batches = batchesOf(large);
    for (const b of batches) expect(b.reduce((n, r) => n + r.data.length, 0)).toBeLessThanOrEqual(firehoseLimits.maxBatchBytes);
    expect(batches.flat()).toHaveLength(9);
  });
});

describe('Firehose lake', () => {
  it('writes 100 rows with one call of one record to the table’s delivery stream', async () => {
    firehose.on(PutRecordBatchCommand).resolves(ok(1));
    const lake = new FirehoseLake(new FirehoseClient({}), { events: 'lake-events', identity: 'lake-identity' }, noSleep);
    await lake.events(rows(100));
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.DeliveryStreamName).toBe('lake-events');
    expect(sentRecords()).toHaveLength(1);
    await lake.identity([]);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
  });

  it('puts again only the records Firehose refused, until all are in', async () => {
    const input = rows(1200, { blob: 'x'.repeat(1800) });
    const records = packRecords(input).length;
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: Array.from({ length: records }, (_, i) =>
          i === 0 || i === 2 ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' } : { RecordId: `r${i}` },
        ),
      })
      .resolves(ok(2));
    const lake = new FirehoseLake(new FirehoseClient({}), { events: 'e', identity: 'i' }, noSleep);
    await lake.events(input);
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls).toHaveLength(2);
    const retried = (calls[1]!.args[0].input.Records ?? []).map((r) => linesOf(r.Data!)[0]!.message_id);
    const first = calls[0]!.args[0].input.Records!;
    expect(retried).toEqual([linesOf(first[0]!.Data!)[0]!.message_id, linesOf(first[2]!.Data!)[0]!.message_id]);
    // Every row went in exactly once among the accepted records.
    const accepted = [...first.filter((_, i) => i !== 0 && i !== 2), ...(calls[1]!.args[0].input.Records ?? [])];
    expect(accepted.flatMap((r) => linesOf(r.Data!)).map((r) => r.message_id).sort()).toEqual(input.map((r) => r.message_id).sort());
  });

  it('fails after maxPutAttempts so the Kinesis batch is delivered again', async () => {
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
    const lake = new FirehoseLake(new FirehoseClient({}), { events: 'e', identity: 'i' }, noSleep);
    const err = await lake.events(rows(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakeWriteError);
    expect((err as LakeWriteError).rows).toBe(3);
    expect((err as Error).message).toContain('InternalFailure');
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(maxPutAttempts);
  });

  it('rethrows an error of the call itself', async () => {
    firehose.on(PutRecordBatchCommand).rejects(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    const lake = new FirehoseLake(new FirehoseClient({ maxAttempts: 1 }), { events: 'e', identity: 'i' }, noSleep);
    await expect(lake.identity([{ kind: 'merge', from_id: 'a', to_id: 'b', message_id: 'm', ts: 0, dt: '1970-01-01' }])).rejects.toThrow(ServiceUnavailableException);
  });
});
