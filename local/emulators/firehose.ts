/**
 * A local Kinesis Data Firehose (Direct PUT into the event lake): an HTTP server speaking Firehose's JSON
 * 1.1 protocol (PutRecordBatch, PutRecord, ListDeliveryStreams), so the real SDK client works against it.
 * Each delivery stream feeds one lake table; accepted records are buffered and written as Parquet under
 * the lake folder in the layout the S3 lake has on AWS (lake-files.ts). No npm package emulates Firehose
 * without Docker or Java (LOCAL-AWS.md).
 *
 * As on AWS, a PutRecordBatch over Firehose's limits is refused whole (400), while records refused for
 * throttling (the writer fell behind) are answered one by one with FailedPutCount. Rows are held in memory
 * until written (at most `bufferSeconds`): a crash of local mode in that window loses them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LakeTable } from '../../functions/analytics/domain/lake.js';
import { LakeFiles, type LakeFilesOptions } from './lake-files.js';
import { listenOn } from './start.js';

/** Firehose's Direct PUT limits (AWS: none can be raised). */
export const firehoseApiLimits = {
  /** Records per PutRecordBatch. */
  maxBatchRecords: 500,
  /** Largest record, before base64. */
  maxRecordBytes: 1_000 * 1024,
  /** Largest PutRecordBatch, records' data before base64. */
  maxBatchBytes: 4 * 1024 * 1024,
} as const;
/** Largest request body kept (a batch over maxBatchBytes still fits, so it is refused with Firehose's own error). */
export const maxRequestBodyBytes = 16 * 1024 * 1024;

const { accountId, region } = { accountId: '000000000000', region: 'us-east-1' };

export interface LocalFirehoseOptions extends LakeFilesOptions {
  /** Delivery stream name → the lake table it writes. */
  streams: Readonly<Record<string, LakeTable>>;
}

class FirehoseError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const recordId = () => randomBytes(42).toString('base64url');

/** The local Firehose: `listen` it, point AWS_ENDPOINT_URL_FIREHOSE at its URL, `close` flushes. */
export class LocalFirehose {
  readonly files: LakeFiles;
  private server: Server | undefined;

  constructor(private readonly opts: LocalFirehoseOptions) {
    this.files = new LakeFiles(opts);
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    const bound = await listenOn(server, port, 'firehose');
    this.server = server;
    return `http://127.0.0.1:${bound}`;
  }

  /** Writes what is buffered now (tests; `close` does it too). */
  flush(): Promise<void> {
    return this.files.flush();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    await this.files.stop();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const answer = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }).end(JSON.stringify(body));
    try {
      const body = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('Firehose_20150804.') ? target.slice('Firehose_20150804.'.length) : '';
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new FirehoseError('SerializationException', 'The request body is not JSON.');
      }
      answer(200, this.operation(op, target, input));
    } catch (err) {
      if (err instanceof FirehoseError) answer(err.status, { __type: err.type, message: err.message });
      else answer(500, { __type: 'InternalFailure', message: String(err) });
    }
  }

  private operation(op: string, target: string, input: Record<string, unknown>): unknown {
    switch (op) {
      case 'PutRecordBatch':
        return this.putRecordBatch(input);
      case 'PutRecord': {
        const table = this.tableOf(input.DeliveryStreamName);
        const [data] = decodeRecords([input.Record], 'record');
        if (!this.files.accepting) throw new FirehoseError('ServiceUnavailableException', 'Slow down.', 503);
        this.files.add(table, String(input.DeliveryStreamName), data!);
        return { RecordId: recordId(), Encrypted: false };
      }
      case 'ListDeliveryStreams':
        return { DeliveryStreamNames: Object.keys(this.opts.streams).sort(), HasMoreDeliveryStreams: false };
      default:
        throw new FirehoseError('UnknownOperationException', `The local Firehose does not serve ${target || 'requests without X-Amz-Target'}.`);
    }
  }

  private putRecordBatch(input: Record<string, unknown>) {
    const table = this.tableOf(input.DeliveryStreamName);
    const records = input.Records;
    if (!Array.isArray(records) || records.length === 0 || records.length > firehoseApiLimits.maxBatchRecords) {
      const n = Array.isArray(records) ? records.length : 0;
      throw new FirehoseError(
        'ValidationException',
        `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and ${firehoseApiLimits.maxBatchRecords} (got ${n})`,
      );
    }
    const data = decodeRecords(records, 'records');
    const total = data.reduce((n, d) => n + d.length, 0);
    if (total > firehoseApiLimits.maxBatchBytes) {
      throw new FirehoseError('InvalidArgumentException', `Records size ${total} exceeds the ${firehoseApiLimits.maxBatchBytes}-byte limit of PutRecordBatch.`);
    }
    let failed = 0;
    const responses = data.map((d) => {
      if (!this.files.accepting) {
        failed++;
        return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      }
      this.files.add(table, String(input.DeliveryStreamName), d);
      return { RecordId: recordId() };
    });
    return { FailedPutCount: failed, Encrypted: false, RequestResponses: responses };
  }

  private tableOf(name: unknown): LakeTable {
    const table = typeof name === 'string' ? this.opts.streams[name] : undefined;
    if (!table) {
      throw new FirehoseError('ResourceNotFoundException', `Firehose ${String(name)} under account ${accountId} not found (region ${region}; local streams: ${Object.keys(this.opts.streams).join(', ')}).`);
    }
    return table;
  }
}

/** Each record's `Data` decoded, checked against the record size limit. */
function decodeRecords(records: unknown[], field: string): Buffer[] {
  return records.map((r, i) => {
    const data = (r as { Data?: unknown } | undefined)?.Data;
    const where = field === 'records' ? `records.${i + 1}.member.data` : 'record.data';
    if (typeof data !== 'string') throw new FirehoseError('ValidationException', `1 validation error detected: Value at '${where}' failed to satisfy constraint: Member must not be null`);
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > firehoseApiLimits.maxRecordBytes) {
      throw new FirehoseError(
        'ValidationException',
        `1 validation error detected: Value at '${where}' failed to satisfy constraint: Member must have length less than or equal to ${firehoseApiLimits.maxRecordBytes}`,
      );
    }
    return bytes;
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large: answering before the client finished sending resets its connection.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxRequestBodyBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxRequestBodyBytes) throw new FirehoseError('InvalidArgumentException', `Request body exceeds ${maxRequestBodyBytes} bytes.`, 413);
  return Buffer.concat(chunks);
}
