/**
 * Back-fill jobs in the main table (functions/segments/domain/backfill.ts):
 * - open job:  `segjobs`                        / `<segment id>#v<version>#<kind>` → the job
 * - progress:  `segbf#<segment id>#v<version>#<kind>` / `<partition>` → { cursor, done, pages, counts }
 * - latest:    `segbfl#<segment id>`            / `latest` → the segment's latest job, and when it finished
 * The sweep lists open jobs with one Query of `segjobs` (a handful of items), never a scan.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHeld } from '../../shared/aws/conditional.js';
import { type Job, type JobKind, jobStatus, type JobStatus, type PartitionProgress, partitionsOf } from '../domain/backfill.js';

const jobsPk = 'segjobs';
const jobSk = (j: Job) => `${j.segmentId}#v${j.version}#${j.kind}`;
const progressPk = (j: Job) => `segbf#${j.segmentId}#v${j.version}#${j.kind}`;
const latestKey = (segmentId: string) => ({ pk: `segbfl#${segmentId}`, sk: 'latest' });

/** The two items that open a job: the open-job entry and the segment's latest (definition-store.ts writes them with a definition). */
export function jobItems(job: Job): Record<string, unknown>[] {
  return [
    { pk: jobsPk, sk: jobSk(job), ...job },
    { ...latestKey(job.segmentId), ...job },
  ];
}

function jobOf(i: Record<string, unknown>): Job {
  return { segmentId: String(i.segmentId), version: Number(i.version), kind: i.kind as JobKind, startedAt: String(i.startedAt) };
}

export class DynamoBackfillStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Opens a job (a replayed start changes nothing) and makes it the segment's latest. */
  async start(segmentId: string, version: number, kind: JobKind, now = new Date()): Promise<Job> {
    const job: Job = { segmentId, version, kind, startedAt: now.toISOString() };
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: jobsPk, sk: jobSk(job), ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return job;
      throw err;
    }
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...latestKey(segmentId), ...job } }));
    return job;
  }

  async open(): Promise<Job[]> {
    const out: Job[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': jobsPk }, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      out.push(...(res.Items ?? []).map(jobOf));
      start = res.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  }

  async progress(job: Job): Promise<PartitionProgress[]> {
    const stored = new Map<string, PartitionProgress>();
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': progressPk(job) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of res.Items ?? []) {
        stored.set(String(i.sk), {
          partition: String(i.sk),
          ...(i.cursor ? { cursor: String(i.cursor) } : {}),
          done: Boolean(i.done),
          pages: Number(i.pages),
          evaluated: Number(i.evaluated),
          entered: Number(i.entered),
          exited: Number(i.exited),
        });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return partitionsOf(job).map((partition) => stored.get(partition) ?? { partition, done: false, pages: 0, evaluated: 0, entered: 0, exited: 0 });
  }

  async advance(job: Job, from: PartitionProgress, to: PartitionProgress): Promise<boolean> {
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: progressPk(job), sk: to.partition, ...to },
          ConditionExpression: from.pages === 0 ? 'attribute_not_exists(pk)' : 'pages = :p',
          ...(from.pages === 0 ? {} : { ExpressionAttributeValues: { ':p': from.pages } }),
        }),
      ),
    );
  }

  async finish(job: Job, at: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: jobsPk, sk: jobSk(job) } }));
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: latestKey(job.segmentId),
          UpdateExpression: 'SET finishedAt = :at',
          ConditionExpression: 'version = :v AND kind = :k',
          ExpressionAttributeValues: { ':at': at, ':v': job.version, ':k': job.kind },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /** The segment's latest back-fill with its progress; undefined when it never had one. */
  async status(segmentId: string): Promise<JobStatus | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: latestKey(segmentId), ConsistentRead: true }));
    if (!res.Item) return undefined;
    const job = jobOf(res.Item);
    return jobStatus(job, await this.progress(job), res.Item.finishedAt ? String(res.Item.finishedAt) : undefined);
  }
}
