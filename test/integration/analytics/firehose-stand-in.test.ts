import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, ListDeliveryStreamsCommand, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirehoseLake } from '../../../functions/analytics/adapters/firehose-lake.js';
import { eventRow, mergeRow } from '../../../functions/analytics/domain/lake-rows.js';
import { LocalFirehose } from '../../../local/emulators/firehose.js';
import { errorsFolder } from '../../../local/emulators/lake-files.js';
import { pageView, track } from '../../helpers/events.js';

/** The local Firehose through the real SDK client: protocol, limits, and the Parquet it leaves. */

let dir: string;
let firehose: LocalFirehose;
let client: FirehoseClient;
const streams = { 'nurture-lake-events': 'events', 'nurture-lake-identity': 'identity' } as const;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nurture-firehose-'));
  // A long buffer: the tests flush when they want the files.
  firehose = new LocalFirehose({ lakeDir: dir, streams, bufferSeconds: 3600 });
  const endpoint = await firehose.listen(0);
  client = new FirehoseClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await firehose?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function query(sql: string) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
const data = (rows: object[]) => Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
const rejection = (p: Promise<unknown>) => p.then(() => Promise.reject(new Error('expected a refusal')), (err: Error & { $metadata?: { httpStatusCode?: number } }) => err);

describe('local Firehose', () => {
  it('writes accepted rows as Parquet in dt= partitions with the contract’s column types', async () => {
    const sink = new FirehoseLake(client, { events: 'nurture-lake-events', identity: 'nurture-lake-identity' });
    // No referrer or campaign in any row of this flush: those columns must still be VARCHAR.
    const rows = [
      eventRow(pageView('/pricing', '2026-06-01T23:00:00.000Z', { anonymousId: 'a' }), 'p-a'),
      eventRow(track('Page Ping', { seconds: 15, path: '/pricing' }, '2026-06-02T01:00:00.000Z', { anonymousId: 'a' }), 'p-a'),
    ];
    await sink.events(rows);
    await sink.identity([mergeRow('p-a', 'p-k', 'm-1', '2026-06-02T02:00:00.000Z')]);
    await firehose.flush();

    expect(readdirSync(join(dir, 'events')).sort()).toEqual(['dt=2026-06-01', 'dt=2026-06-02']);
    const files = readdirSync(join(dir, 'events', 'dt=2026-06-02'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^nurture-lake-events-\d{8}T\d{6}Z-[0-9a-f-]{36}\.parquet$/);
    const types = await query(`SELECT name, type FROM parquet_schema('${dir}/events/*/*.parquet') WHERE name IN ('referrer_domain', 'utm_source', 'seconds', 'ts')`);
    expect(Object.fromEntries(types.map((t) => [t.name, t.type]))).toEqual({ referrer_domain: 'BYTE_ARRAY', utm_source: 'BYTE_ARRAY', seconds: 'DOUBLE', ts: 'INT64' });
    const back = await query(`SELECT message_id, profile_id, path, seconds, dt FROM read_parquet('${dir}/events/*/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR}) ORDER BY ts`);
    expect(back).toEqual(rows.map((r) => ({ message_id: r.message_id, profile_id: r.profile_id, path: r.path, seconds: r.seconds, dt: r.dt })));
    expect(await query(`SELECT kind, from_id, to_id, dt FROM read_parquet('${dir}/identity/*/*.parquet', hive_partitioning = true, hive_types = {'dt': VARCHAR})`)).toEqual([
      { kind: 'merge', from_id: 'p-a', to_id: 'p-k', dt: '2026-06-02' },
    ]);
  });

  it('reads files of different flushes as one table, even when a flush had only nulls in a column', async () => {
    const row = eventRow(pageView('/x', '2026-06-03T00:00:00.000Z', { context: { page: { path: '/x', referrer: 'https://news.example/a' } } }), 'p-b');
    await client.send(new PutRecordCommand({ DeliveryStreamName: 'nurture-lake-events', Record: { Data: data([row]) } }));
    await firehose.flush();
    const back = await query(`SELECT referrer_domain FROM read_parquet('${dir}/events/*/*.parquet', union_by_name = false) WHERE referrer_domain IS NOT NULL`);
    expect(back).toEqual([{ referrer_domain: 'news.example' }]);
  });

  it('puts rows that are not rows of the table in the errors folder and the rest in the lake', async () => {
    const good = eventRow(pageView('/ok', '2026-06-04T00:00:00.000Z'), 'p-c');
    const broken = Buffer.concat([data([good]), Buffer.from('{"message_id": "half\n'), data([{ ...good, message_id: 'bad-ts', ts: 'yesterday' }])]);
    const res = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-events', Records: [{ Data: broken }] }));
    expect(res.FailedPutCount).toBe(0);
    await firehose.flush();
    expect(await query(`SELECT message_id FROM read_parquet('${dir}/events/dt=2026-06-04/*.parquet')`)).toEqual([{ message_id: good.message_id }]);
    const errors = readdirSync(join(dir, errorsFolder, 'events')).flatMap((f) => readFileSync(join(dir, errorsFolder, 'events', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { errorCode: string }));
    expect(errors.map((e) => e.errorCode).sort()).toEqual(['DataFormatConversion.InvalidSchema', 'DataFormatConversion.MalformedData']);
  });

  it('answers as Firehose does: record ids in order, unknown streams and over-limit batches refused whole', async () => {
    const ok = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-identity', Records: [{ Data: data([mergeRow('a', 'b', 'm', '2026-06-05T00:00:00Z')]) }, { Data: data([]) }] }));
    expect(ok.FailedPutCount).toBe(0);
    expect(ok.RequestResponses).toHaveLength(2);
    for (const r of ok.RequestResponses ?? []) expect(r.RecordId).toMatch(/^[\w-]{20,}$/);

    const unknown = await rejection(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nope', Records: [{ Data: Buffer.from('{}') }] })));
    expect(unknown.name).toBe('ResourceNotFoundException');
    expect(unknown.$metadata?.httpStatusCode).toBe(400);

    const many = await rejection(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-events', Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from('{}') })) })));
    expect(many.name).toBe('ValidationException');
    const big = await rejection(client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-events', Records: [{ Data: Buffer.alloc(1_000 * 1024 + 1, 0x20) }] })));
    expect(big.name).toBe('ValidationException');
    const heavy = await rejection(
      client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-events', Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000 * 1024, 0x20) })) })),
    );
    expect(heavy.name).toBe('InvalidArgumentException');

    expect((await client.send(new ListDeliveryStreamsCommand({}))).DeliveryStreamNames).toEqual(Object.keys(streams).sort());
  });

  it('refuses records one by one as throttled while its buffer is full', async () => {
    const small = new LocalFirehose({ lakeDir: dir, streams, bufferSeconds: 3600, maxBufferedBytes: 100 });
    const endpoint = await small.listen(0);
    const c = new FirehoseClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      const row = eventRow(pageView('/full', '2026-06-06T00:00:00.000Z'), 'p');
      const res = await c.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nurture-lake-events', Records: [{ Data: data([row]) }, { Data: data([row]) }] }));
      expect(res.FailedPutCount).toBe(1);
      expect(res.RequestResponses?.[1]).toMatchObject({ ErrorCode: 'ServiceUnavailableException' });
    } finally {
      c.destroy();
      await small.close();
    }
    // Closing flushed what it had accepted.
    expect(readdirSync(join(dir, 'events', 'dt=2026-06-06'))).toHaveLength(1);
  });
});
