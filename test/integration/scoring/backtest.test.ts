import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../../functions/scoring/domain/backtest.js';
import { parseRules } from '../../../functions/scoring/domain/rules.js';
import { LocalEventBus } from '../../../local/emulators/event-bus.js';
import { DuckDbEngine } from '../../../functions/analytics/adapters/duckdb-engine.js';
import { ProfileReader } from '../../../functions/profiles/adapters/profile-reader.js';
import { lakeHistories } from '../../../functions/scoring/adapters/lake-histories.js';
import { collected, pageView, track } from '../../helpers/events.js';
import { kinesisBatch } from '../../helpers/kinesis-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const inForce = `
version: 1
halfLifeDays: 30
stages: { mql: 20, sql: 60 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }
  - { id: contact, match: { event: Form Submitted }, points: 20 }
`;
const draft = `
version: 2
halfLifeDays: 30
stages: { mql: 20, sql: 60 }
rules:
  - { id: pricing, match: { type: page, path: /pricing }, points: 12 }
  - { id: contact, match: { event: Form Submitted }, points: 20 }
`;

let aws: TestAws;
let bus: LocalEventBus;
const dir = mkdtempSync(join(tmpdir(), 'nurture-backtest-'));
const now = () => new Date().toISOString();

beforeAll(async () => {
  bus = new LocalEventBus();
  aws = await startTestAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: await bus.listen(0), EVENT_BUS_NAME: 'b' }, { lake: true });
  const s3 = new S3Client({ endpoint: aws.emulators.endpoints.s3, region: 'us-east-1', credentials: aws.emulators.credentials, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: 'rules/scoring.yaml', Body: inForce }));
  s3.destroy();
  const { handler: processStream } = (await import('../../../functions/scoring/process.js')) as unknown as {
    handler: (e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>;
  };
  const handler = asFunction('process', processStream);
  // Three known leads: a form filler, a repeat pricing visitor, a one-time visitor.
  const ident = (a: string) => collected({ type: 'identify', anonymousId: a, at: now(), traits: { email: `${a}@firm.com` } });
  await handler(
    kinesisBatch([
      ident('filler'),
      track('Form Submitted', {}, now(), { anonymousId: 'filler' }),
      ident('pricer'),
      ...[1, 2, 3].map(() => pageView('/pricing', now(), { anonymousId: 'pricer' })),
      ident('glance'),
      pageView('/pricing', now(), { anonymousId: 'glance' }),
    ]),
    { awsRequestId: 'x', getRemainingTimeInMillis: () => 1e4 } as unknown as Context,
  );
  await aws.lake!.flush();
  writeFileSync(join(dir, 'draft.yaml'), draft);
  writeFileSync(join(dir, 'current.yaml'), inForce);
});
afterAll(async () => {
  await bus?.close();
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('scoring back-test', () => {
  it('shows how the ranking and the MQL list would change, without writing anything', async () => {
    const before = (await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Items;
    const engine = await DuckDbEngine.open(aws.lake!.dir);
    const histories = await lakeHistories(engine, new ProfileReader(aws.doc, aws.env.TABLE_NAME!), { days: 30, now: new Date() });
    engine.close();
    // Page views are replayed from the lake (the profile items no longer keep them).
    expect(histories.find((h) => h.email === 'pricer@firm.com')?.activity.filter((e) => e.type === 'page')).toHaveLength(3);
    const report = backtest(histories, parseRules(inForce), parseRules(draft), { top: 3, asOf: now() });
    expect(report.current.top.map((o) => o.email)).toEqual(['filler@firm.com', 'pricer@firm.com', 'glance@firm.com']);
    expect(report.draft.top.map((o) => o.email)).toEqual(['pricer@firm.com', 'filler@firm.com', 'glance@firm.com']);
    expect(report.newlyQualified.map((o) => o.email)).toEqual(['pricer@firm.com']);
    expect(report.draft.stages).toMatchObject({ mql: 2, known: 1 });
    expect(report.movers[0]).toMatchObject({ email: 'pricer@firm.com', currentRank: 2, draftRank: 1 });
    expect((await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Items).toEqual(before);
  });

  it('is a command that prints the comparison, and names the bad line of an invalid draft', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'scoring', 'backtest', ...args, '--dynamodb-endpoint', aws.emulators.endpoints.dynamodb, '--s3-endpoint', aws.emulators.endpoints.s3, '--table', aws.env.TABLE_NAME!, '--bucket', aws.env.CONTENT_BUCKET!, '--lake', aws.lake!.dir]);
    const { stdout } = await run([join(dir, 'draft.yaml'), '--top', '3']);
    expect(stdout).toContain('Back-test of rules v2 against v1 in force');
    expect(stdout).toMatch(/pricer@firm\.com\s+2 → 1\s+↑1/);
    expect(stdout).toContain('Newly MQL or better under the draft: 1');
    writeFileSync(join(dir, 'bad.yaml'), 'version: 3\nstages: { mql: 1, sql: 2 }\nrules:\n  - { id: x, match: {}, points: many }\n');
    await expect(run([join(dir, 'bad.yaml')])).rejects.toMatchObject({ stderr: expect.stringMatching(/bad\.yaml:4:\d+ {2}rules\[0\]\.points {2}expected number/) });
  });

  it('finds local mode on the ports NURTURE_DYNAMODB_PORT and NURTURE_S3_PORT name, as npm start does', async () => {
    const port = (url: string) => new URL(url).port;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'scoring', 'backtest', join(dir, 'draft.yaml'), '--table', aws.env.TABLE_NAME!, '--bucket', aws.env.CONTENT_BUCKET!, '--lake', aws.lake!.dir],
      { env: { ...process.env, NURTURE_DYNAMODB_PORT: port(aws.emulators.endpoints.dynamodb), NURTURE_S3_PORT: port(aws.emulators.endpoints.s3) } },
    );
    expect(stdout).toContain('Back-test of rules v2 against v1 in force');
  }, 60_000);
});
