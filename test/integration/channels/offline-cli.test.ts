import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importOfflineFile, registerChannelOffline } from '../../../cli/commands/channel-offline.js';
import { OfflineImporter } from '../../../functions/channels/adapters/offline-importer.js';
import { DynamoLinkStore } from '../../../functions/identity/adapters/dynamo-link-store.js';
import { KinesisSink } from '../../../functions/ingest/adapters/kinesis-sink.js';
import { readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let dir: string;
let importer: OfflineImporter;
const sample = 'cli/samples/offline-touches.csv';
/** The sample's dates are spring 2026: import it as of a day soon after. */
const asOf = new Date('2026-05-01T00:00:00Z');

beforeAll(async () => {
  aws = await startTestAws();
  dir = mkdtempSync(join(tmpdir(), 'nurture-offline-'));
  const table = aws.env.TABLE_NAME!;
  importer = new OfflineImporter(aws.doc, table, new DynamoLinkStore(aws.doc, table), new KinesisSink(aws.kinesis, aws.env.EVENTS_STREAM_NAME!));
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await aws?.stop();
});

const streamLength = async () => (await readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!)).length;

describe('nurture channels import-offline', () => {
  it('imports the shipped sample file, following progress to the last row, and skips it all the second time', async () => {
    const progress: [number, number][] = [];
    const first = await importOfflineFile(sample, importer, asOf, (done, total) => progress.push([done, total]));
    expect(first).toEqual({ errors: [], result: { imported: 3, skippedAsDuplicates: 0, profiles: 3 } });
    expect(progress.at(-1)).toEqual([3, 3]);
    expect(await streamLength()).toBe(6);

    const second = await importOfflineFile(sample, importer, asOf);
    expect(second.result).toEqual({ imported: 0, skippedAsDuplicates: 3, profiles: 0 });
    expect(await streamLength()).toBe(6);
  });

  it('prints every bad row with its line and field, imports nothing and exits non-zero', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, ['email,channel,date,consent', 'ok@firm.jp,store,2026-04-01,yes', 'x@,store,2026-04-01,yes', 'y@firm.jp,store,2026-04-01,'].join('\n'));
    const before = await streamLength();
    const printed: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((line: string) => void printed.push(line));
    const program = new Command().exitOverride();
    registerChannelOffline(program.command('channels'));
    try {
      await program.parseAsync(
        ['channels', 'import-offline', file, '--dynamodb-endpoint', aws.emulators.endpoints.dynamodb, '--kinesis-endpoint', aws.emulators.endpoints.kinesis, '--table', aws.env.TABLE_NAME!, '--stream', aws.env.EVENTS_STREAM_NAME!],
        { from: 'user' },
      );
    } finally {
      err.mockRestore();
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
    expect(printed.slice(0, 2)).toEqual([`${file}:3 email: not a valid email address: "x@"`, expect.stringMatching(/^.*:4 consent: missing/)]);
    expect(printed.at(-1)).toContain('nothing was imported');
    expect(await streamLength()).toBe(before);
  });
});
