import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesSource, rulesCheckKey, rulesKey } from '../../../functions/scoring/adapters/rules-source.js';
import { s3Event } from '../../../local/runtime/plugins/scoring.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let s3: S3Client;
let check: (e: S3Event, c: Context) => Promise<{ ok: boolean }[]>;
const ctx = {} as Context;
const doc = (version: number, mql = 30) => `version: ${version}\nstages: { mql: ${mql}, sql: 60 }\nrules:\n  - { id: pricing, match: { type: page, path: /pricing }, points: 5 }\n`;

beforeAll(async () => {
  aws = await startTestAws();
  s3 = new S3Client({ endpoint: aws.emulators.endpoints.s3, region: 'us-east-1', credentials: aws.emulators.credentials, forcePathStyle: true });
  check = asFunction('rulesCheck', ((await import('../../../functions/scoring/rules-check.js')) as unknown as { handler: typeof check }).handler);
});
afterAll(async () => {
  s3?.destroy();
  await aws?.stop();
});

async function upload(body: string) {
  await s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: rulesKey, Body: body }));
  return check(s3Event(aws.env.CONTENT_BUCKET!, rulesKey), ctx);
}
const verdict = async () =>
  JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: rulesCheckKey }))).Body!.transformToString()) as {
    ok: boolean;
    version?: number;
    problems?: { field: string; line?: number }[];
  };

describe('scoring rules upload', () => {
  it('puts a valid upload in force and refuses an invalid one, keeping the last valid version', async () => {
    let clock = 0;
    const source = new RulesSource(s3, aws.env.CONTENT_BUCKET!, () => clock);
    expect((await upload(doc(1)))[0]?.ok).toBe(true);
    expect(await verdict()).toMatchObject({ ok: true, version: 1 });
    expect((await source.current()).version).toBe(1);

    expect((await upload(doc(2, 99)))[0]?.ok).toBe(false);
    expect(await verdict()).toMatchObject({ ok: false, problems: [{ field: 'stages.sql', line: 2 }] });
    clock += 61_000; // past the refresh interval
    expect((await source.current()).version).toBe(1);

    await upload(doc(3));
    clock += 61_000;
    expect((await source.current()).version).toBe(3);
  });

  it('writes every problem of a refused upload to the verdict, each with its line and the key meant', async () => {
    await upload('version: 5\nstages: { mql: 30, sql: 60 }\nrules:\n  - id: a\n    match: { type: page }\n    pionts: 5\n  - id: b\n    match: { evnt: X }\n    points: lots\n');
    expect((await verdict()).problems).toEqual([
      { field: 'rules[0].pionts', line: 6, column: 5, message: 'unknown key "pionts"', suggestion: 'points' },
      { field: 'rules[1].match.evnt', line: 8, column: 14, message: 'unknown key "evnt"', suggestion: 'event' },
      { field: 'rules[1].points', line: 9, column: 5, message: 'expected number, received string' },
    ]);
  });

  it('re-reads the rules in force at most once a minute', async () => {
    let clock = 0;
    const source = new RulesSource(s3, aws.env.CONTENT_BUCKET!, () => clock);
    const first = (await source.current()).version;
    await upload(doc(first + 1));
    clock += 30_000;
    expect((await source.current()).version).toBe(first);
    clock += 31_000;
    expect((await source.current()).version).toBe(first + 1);
  });
});

describe('a fresh deployment without rules in the bucket', () => {
  it('scores with the shipped default rules until the first upload', async () => {
    const source = new RulesSource(s3, 'no-such-bucket-yet', Date.now, () => doc(42));
    expect((await source.current()).version).toBe(42);
    const none = new RulesSource(s3, 'no-such-bucket-yet');
    await expect(none.current()).rejects.toThrow(/no scoring rules/);
  });
});
