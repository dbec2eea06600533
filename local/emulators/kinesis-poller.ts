import { readFileSync, writeFileSync } from 'node:fs';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type _Record,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamBatchResponse } from 'aws-lambda';
import { lambdaContext } from './api-gateway.js';

export type StreamConsumer = (event: KinesisStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<KinesisStreamBatchResponse | void>;

export interface PollerOptions {
  kinesis: KinesisClient;
  streamName: string;
  region: string;
  /** Records per invocation (the event source mapping's BatchSize). */
  batchSize?: number;
  /** Pause between polls of an idle shard, ms (Lambda polls each shard about once a second). */
  idleMs?: number;
  /** Invocations of a failing batch before its first failing record is set aside (MaximumRetryAttempts). */
  maxRetries?: number;
  /** File that keeps each shard's checkpoint across restarts. */
  checkpointFile?: string;
  /** Called with records given up on, like the on-failure destination on AWS. */
  onFailure?: (consumer: string, records: KinesisStreamEvent['Records'], error: string) => void;
}

/**
 * Reads the local stream like Lambda's Kinesis event source mapping: per shard, in order, batches of
 * records as real KinesisStreamEvent shapes, honouring ReportBatchItemFailures (a failure re-delivers
 * from the first failed record) and giving up on a record after maxRetries, so one poison record
 * never stalls a shard.
 */
export class KinesisPoller {
  private readonly consumers = new Map<string, StreamConsumer>();
  private running = false;
  private loops: Promise<void>[] = [];
  private checkpoints: Record<string, string> = {};
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly opts: PollerOptions) {
    if (opts.checkpointFile) {
      try {
        this.checkpoints = JSON.parse(readFileSync(opts.checkpointFile, 'utf8')) as Record<string, string>;
      } catch {
        this.checkpoints = {};
      }
    }
  }

  /** Adds a consumer; each consumer has its own checkpoint per shard, like separate mappings. */
  subscribe(name: string, consumer: StreamConsumer): void {
    this.consumers.set(name, consumer);
    if (this.running) void this.startConsumer(name, consumer);
  }

  async start(): Promise<void> {
    this.running = true;
    for (const [name, consumer] of this.consumers) await this.startConsumer(name, consumer);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.sleepers) wake();
    await Promise.allSettled(this.loops);
    this.saveCheckpoints();
  }

  private async startConsumer(name: string, consumer: StreamConsumer) {
    const shards = await this.opts.kinesis.send(new ListShardsCommand({ StreamName: this.opts.streamName }));
    for (const shard of shards.Shards ?? []) {
      if (shard.ShardId) this.loops.push(this.pollShard(name, consumer, shard.ShardId));
    }
  }

  private saveCheckpoints() {
    if (this.opts.checkpointFile) writeFileSync(this.opts.checkpointFile, JSON.stringify(this.checkpoints, null, 2));
  }

  private async iterator(key: string, shardId: string): Promise<string | undefined> {
    const after = this.checkpoints[key];
    const res = await this.opts.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.opts.streamName,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return res.ShardIterator;
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async pollShard(name: string, consumer: StreamConsumer, shardId: string): Promise<void> {
    const key = `${name}/${shardId}`;
    const batchSize = this.opts.batchSize ?? 100;
    const idleMs = this.opts.idleMs ?? 200;
    const maxRetries = this.opts.maxRetries ?? 3;
    let pending: _Record[] = [];
    let iterator: string | undefined;
    let attempts = 0;
    while (this.running) {
      try {
        if (pending.length === 0) {
          iterator ??= await this.iterator(key, shardId);
          if (!iterator) return;
          const res = await this.opts.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
          iterator = res.NextShardIterator;
          pending = res.Records ?? [];
          if (pending.length === 0) {
            await this.sleep(idleMs);
            continue;
          }
        }
        const batch = pending.slice(0, batchSize);
        const event = this.toEvent(batch, shardId);
        let failedAt = -1;
        let error = '';
        try {
          const result = await consumer(event, lambdaContext(name));
          const failures = result?.batchItemFailures ?? [];
          if (failures.length > 0) {
            const ids = new Set(failures.map((f) => f.itemIdentifier));
            failedAt = batch.findIndex((r) => ids.has(r.SequenceNumber ?? ''));
            if (failedAt < 0) failedAt = 0; // an unknown identifier fails the whole batch, as on AWS
            error = 'reported batch item failure';
          }
        } catch (err) {
          failedAt = 0;
          error = String(err);
        }
        const done = failedAt < 0 ? batch.length : failedAt;
        if (done > 0) {
          this.checkpoints[key] = batch[done - 1]!.SequenceNumber!;
          pending = pending.slice(done);
          attempts = 0;
          this.saveCheckpoints();
        }
        if (failedAt >= 0) {
          attempts++;
          if (attempts > maxRetries) {
            // Set the poison record aside and go on, as an on-failure destination would.
            const poison = pending.slice(0, 1);
            this.opts.onFailure?.(name, this.toEvent(poison, shardId).Records, error);
            this.checkpoints[key] = poison[0]!.SequenceNumber!;
            pending = pending.slice(1);
            attempts = 0;
            this.saveCheckpoints();
          } else {
            await this.sleep(Math.min(1000, 50 * 2 ** attempts));
          }
        }
      } catch (err) {
        if (!this.running) return;
        console.error(`[poller ${key}]`, err);
        iterator = undefined;
        await this.sleep(1000);
      }
    }
  }

  private toEvent(records: _Record[], shardId: string): KinesisStreamEvent {
    const arn = `arn:aws:kinesis:${this.opts.region}:000000000000:stream/${this.opts.streamName}`;
    return {
      Records: records.map((r) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey ?? '',
          sequenceNumber: r.SequenceNumber ?? '',
          data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${r.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/local',
        awsRegion: this.opts.region,
        eventSourceARN: arn,
      })),
    };
  }
}
