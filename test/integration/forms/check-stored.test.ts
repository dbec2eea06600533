/**
 * The stored check of form definitions, as the formsCheck role (IAM check on): an upload gets its report
 * beside it, a deleted source a failing one (the form stops being served), a replayed event the same
 * report; and local mode's watcher does the same without S3 events.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FormCheckReport } from '../../../functions/forms/domain/reports.js';
import type { LocalContext } from '../../../local/runtime/context.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let s3: S3Client;
let check: (e: S3Event) => Promise<void>;

const definition = `title: Contact
fields:
  - { name: email, type: email, required: true, trait: email }
`;
const event = (...keys: string[]) => ({ Records: keys.map((key) => ({ s3: { object: { key: encodeURIComponent(key) } } })) }) as unknown as S3Event;
const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: key, Body: body }));
const remove = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: key }));
async function report(id: string): Promise<FormCheckReport | undefined> {
  try {
    return JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: aws.env.CONTENT_BUCKET, Key: `forms/${id}.check.json` }))).Body!.transformToString()) as FormCheckReport;
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

beforeAll(async () => {
  aws = await startTestAws();
  s3 = new S3Client({ forcePathStyle: true, endpoint: aws.emulators.endpoints.s3, region: aws.emulators.region, credentials: aws.emulators.credentials });
  check = asFunction('formsCheck', ((await import('../../../functions/forms/content-check.js')) as unknown as { handler: typeof check }).handler);
}, 120_000);
afterAll(async () => {
  s3?.destroy();
  await aws?.stop();
});

describe('form check on upload (formsCheck role)', () => {
  it('writes the report of an upload, the same on a replay, and skips reports and other prefixes', async () => {
    await put('forms/contact.yaml', definition);
    await check(event('forms/contact.yaml', 'forms/contact.check.json', 'pages/home.liquid'));
    const first = await report('contact');
    expect(first).toMatchObject({ formId: 'contact', source: 'contact.yaml', ok: true, form: { id: 'contact' } });
    await check(event('forms/contact.yaml'));
    expect((await report('contact'))!.form!.version).toBe(first!.form!.version);
  });

  it('a failing upload gets a failing report with the problem at its line', async () => {
    await put('forms/contact.yaml', definition.replace('required: true, ', ''));
    await check(event('forms/contact.yaml'));
    expect(await report('contact')).toMatchObject({ ok: false, errors: [{ field: 'fields[0].required', line: 3 }] });
    expect((await report('contact'))!.form).toBeUndefined();
  });

  it('a deleted source leaves a failing report "was deleted"; another source of the id stays in force', async () => {
    await put('forms/contact.yml', definition);
    await remove('forms/contact.yaml');
    await check(event('forms/contact.yaml'));
    expect(await report('contact')).toMatchObject({ ok: true, source: 'contact.yml' });
    await remove('forms/contact.yml');
    await check(event('forms/contact.yml'));
    expect(await report('contact')).toMatchObject({ ok: false, errors: [{ message: 'forms/contact.yml was deleted' }] });
    await check(event('forms/contact.yml'));
    expect(await report('contact')).toMatchObject({ ok: false });
  });

  it('writes nothing for a deleted source whose report is gone too (deleted through the admin API)', async () => {
    await check(event('forms/never.yaml'));
    expect(await report('never')).toBeUndefined();
  });
});

describe('local watcher of forms/', () => {
  it('checks what is there at start and each later upload', async () => {
    await put('forms/watched.json', JSON.stringify({ title: 'W', fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }] }));
    const stops: (() => Promise<void>)[] = [];
    const { formsCheckPlugin } = await import('../../../local/runtime/plugins/forms-check.js');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await formsCheckPlugin({ env: aws.env, onStop: (fn: () => Promise<void>) => stops.push(fn) } as unknown as LocalContext);
      expect(await report('watched')).toMatchObject({ ok: true, source: 'watched.json' });
      await put('forms/later.yaml', definition);
      await vi.waitFor(async () => expect(await report('later')).toMatchObject({ ok: true }), { timeout: 15_000, interval: 250 });
    } finally {
      for (const stop of stops) await stop();
      log.mockRestore();
    }
  }, 30_000);
});
