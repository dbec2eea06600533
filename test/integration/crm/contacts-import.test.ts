import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importContactsFile, registerCrm } from '../../../cli/commands/crm.js';
import { ContactsImporter } from '../../../functions/crm/adapters/contacts-importer.js';
import { DynamoLinkStore } from '../../../functions/identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../../functions/ingest/adapters/kinesis-sink.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';
import { putRules } from '../../helpers/public-path.js';

type Processor = (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
let aws: TestAws;
let bus: LocalEventBus;
let processor: Processor;
let importer: ContactsImporter;
let dir: string;
let delivered = 0;

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'test-bus' });
  await putRules(aws);
  processor = asFunction('process', ((await import('../../../functions/scoring/process.js')) as unknown as { handler: Processor }).handler);
  const table = aws.env.TABLE_NAME!;
  // The CLI runs as the operator (their credentials), not as a function's role: straight to the emulators.
  importer = new ContactsImporter(aws.doc, table, new DynamoLinkStore(aws.doc, table), new KinesisSink(aws.kinesis, aws.env.EVENTS_STREAM_NAME!));
  dir = mkdtempSync(join(tmpdir(), 'nurture-crm-import-'));
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await bus?.close();
  await aws?.stop();
});

const stream = async () => (await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).map((r) => r.data as unknown as CollectedEvent);
/** Runs the stream processor over the events put since the last run. */
async function processNew(): Promise<void> {
  const fresh = (await stream()).slice(delivered);
  if (fresh.length > 0) expect(await processor(kinesisBatch(fresh, { shard: 'shardId-000000000009', firstSeq: delivered + 1 }), ctx)).toEqual({ batchItemFailures: [] });
  delivered += fresh.length;
  await bus.drain();
}
const profile = async (id: string) =>
  (await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: `p#${id}`, sk: 'profile' } }))).Item as { stage: string; traits: Record<string, unknown> } | undefined;
const tableItems = async () => (await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Items ?? [];
const write = (name: string, lines: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n'));
  return file;
};

async function runCli(file: string): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  const program = new Command().exitOverride();
  registerCrm(program);
  try {
    await program.parseAsync(
      ['crm', 'import', file, '--dynamodb-endpoint', aws.emulators.endpoints.dynamodb, '--kinesis-endpoint', aws.emulators.endpoints.kinesis, '--table', aws.env.TABLE_NAME!, '--stream', aws.env.EVENTS_STREAM_NAME!],
      { from: 'user' },
    );
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return { out, err };
}

describe('nurture crm import', () => {
  it('imports a file with Japanese headers: the leads get their traits, a customer row makes a customer; the same file again imports 0 and changes nothing', async () => {
    const file = write('contacts-ja.csv', ['メールアドレス,姓,名,会社名,電話番号,ステージ,担当者,顧客ID', 'Sato@Example.co.jp,佐藤,健,株式会社サンプル,03-1234-5678,顧客,田中,003A', 'suzuki@example.co.jp,鈴木,花子,ACME,,リード,田中,003B']);
    const first = await runCli(file);
    expect(first.err).toEqual([]);
    expect(first.out.at(-1)).toBe('imported 2 rows (2 new leads, 0 existing); skipped 0 as already imported');
    const events = await stream();
    expect(events.map((e) => [e.type, e.messageId.slice(0, 11), e.nurture.minStage])).toEqual([
      ['identify', 'crm-import-', 'customer'],
      ['identify', 'crm-import-', undefined],
    ]);
    await processNew();
    const sato = (await profile(events[0]!.nurture.profileId!))!;
    expect(sato.stage).toBe('customer');
    expect(sato.traits).toMatchObject({ email: 'sato@example.co.jp', lastName: '佐藤', firstName: '健', company: '株式会社サンプル', phone: '03-1234-5678', crm_id: '003A', crm_owner: '田中' });
    const suzuki = (await profile(events[1]!.nurture.profileId!))!;
    expect(suzuki.stage).toBe('known');
    expect(suzuki.traits).toMatchObject({ lastName: '鈴木', crm_id: '003B' });

    const itemsBefore = await tableItems();
    const again = await runCli(file);
    expect(again.out.at(-1)).toBe('imported 0 rows (0 new leads, 0 existing); skipped 2 as already imported');
    expect(await stream()).toHaveLength(2);
    await processNew();
    expect(await tableItems()).toEqual(itemsBefore);
  });

  it('counts an email that already has a lead as existing, and follows progress to the last row', async () => {
    const file = write('update.csv', ['email,last_name,stage', 'sato@example.co.jp,佐藤,customer', 'new@example.co.jp,新,商談']);
    const progress: [number, number][] = [];
    const outcome = await importContactsFile(file, importer, (done, total) => progress.push([done, total]));
    expect(outcome.result).toEqual({ imported: 2, skippedAsImported: 0, newLeads: 1, existingLeads: 1 });
    expect(progress.at(-1)).toEqual([2, 2]);
    const fresh = (await stream()).slice(delivered);
    await processNew();
    expect((await profile(fresh[1]!.nurture.profileId!))?.stage).toBe('sql');
  });

  it('reports every bad row with its line and field, writes nothing and exits non-zero', async () => {
    const file = write('bad.csv', ['email,stage', 'ok@example.co.jp,customer', 'broken@,customer', 'also-ok@example.co.jp,sql']);
    const itemsBefore = await tableItems();
    const streamBefore = (await stream()).length;
    const { err } = await runCli(file);
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
    expect(err).toEqual([`${file}:3 email: not a valid email address: "broken@"`, `1 problem in ${file}; nothing was imported`]);
    expect(await stream()).toHaveLength(streamBefore);
    expect(await tableItems()).toEqual(itemsBefore);
  });
});
