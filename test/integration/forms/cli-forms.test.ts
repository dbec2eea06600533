/**
 * `nurture forms`: validate offline with lines and a non-zero exit, put a folder all or nothing, export
 * every submission across pages as CSV (BOM, newest first) or JSON, against the local emulators.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportSubmissions, formsPorts, putForms, registerForms } from '../../../cli/commands/forms.js';
import { formKeys } from '../../../functions/forms/domain/model.js';
import { startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let dir: string;
let conn: ReturnType<typeof formsPorts>;

const good = `title: { ja: お問い合わせ, en: Contact }
fields:
  - { name: email, type: email, label: { ja: メール, en: Email }, required: true, trait: email }
  - { name: message, type: textarea, label: { ja: 内容, en: Message } }
consents:
  - { id: news, purpose: email, version: '1', text: { ja: ニュースを受け取る, en: Send me news } }
`;
const bad = good.replace("version: '1',", "version: '1', required: true,");

beforeAll(async () => {
  aws = await startTestAws();
  dir = mkdtempSync(join(tmpdir(), 'nurture-forms-cli-'));
  conn = formsPorts({ dynamodbEndpoint: aws.emulators.endpoints.dynamodb, s3Endpoint: aws.emulators.endpoints.s3, table: aws.env.TABLE_NAME, bucket: aws.env.CONTENT_BUCKET });
}, 120_000);
afterAll(async () => {
  conn?.close();
  rmSync(dir, { recursive: true, force: true });
  await aws?.stop();
});

describe('nurture forms', () => {
  it('validate prints every problem with its file and line and exits 1', async () => {
    writeFileSync(join(dir, 'contact.yaml'), bad);
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const program = new Command().exitOverride();
    registerForms(program);
    try {
      await program.parseAsync(['forms', 'validate', join(dir, 'contact.yaml')], { from: 'user' });
    } finally {
      log.mockRestore();
    }
    expect(printed[0]).toMatch(new RegExp(`^${join(dir, 'contact.yaml')}:6:\\d+  consents\\[0\\]\\.required  consent to marketing mail must be freely given`));
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('put stores nothing when one file of a folder fails, everything when all pass, the same on a replay', async () => {
    const files = [
      { file: join(dir, 'contact.yaml'), text: good },
      { file: join(dir, 'seminar.yaml'), text: bad },
    ];
    await expect(putForms(conn.ports, files)).rejects.toThrow(/1 problem, nothing stored:\n.*seminar\.yaml:6:\d+  consents\[0\]\.required/);
    expect(await conn.ports.content.list('forms/')).toEqual([]);
    files[1]!.text = good;
    expect(await putForms(conn.ports, files)).toEqual([expect.stringMatching(/contact\.yaml: form contact stored/), expect.stringMatching(/seminar\.yaml: form seminar stored/)]);
    await putForms(conn.ports, files);
    expect((await conn.ports.content.list('forms/')).map((o) => o.key).sort()).toEqual(['forms/contact.check.json', 'forms/contact.yaml', 'forms/seminar.check.json', 'forms/seminar.yaml']);
  });

  it('exports every submission across pages, newest first, as CSV with a BOM and as JSON', async () => {
    const n = 620;
    const at = (i: number) => new Date(Date.UTC(2026, 11, 1) + i * 60_000).toISOString();
    const items = Array.from({ length: n }, (_, i) => ({
      pk: formKeys.submissionPk('contact'),
      sk: formKeys.submissionSk(at(i), `sub_${String(i).padStart(5, '0')}`),
      formId: 'contact',
      submissionId: `sub_${String(i).padStart(5, '0')}`,
      submittedAt: at(i),
      profileId: `p${i}`,
      email: `u${i}@example.jp`,
      locale: 'ja',
      values: { email: `u${i}@example.jp`, message: i === 0 ? '=cmd|"/c calc"!A1' : `こんにちは ${i}` },
      consents: [{ consentId: 'news', purpose: 'email', textVersion: '1' }],
    }));
    for (let i = 0; i < n; i += 25) await aws.doc.send(new BatchWriteCommand({ RequestItems: { [aws.env.TABLE_NAME!]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    await aws.doc.send(new PutCommand({ TableName: aws.env.TABLE_NAME, Item: { pk: formKeys.formStatsPk('contact'), sk: formKeys.statsSk('2026-12-01'), submissions: n } }));

    let csv = '';
    const progress: number[] = [];
    expect(await exportSubmissions(conn.ports, 'contact', { format: 'csv' }, async (t) => void (csv += t), (d) => progress.push(d))).toBe(n);
    expect(progress).toEqual([500, 620]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('\uFEFFemail,message,submittedAt,submissionId,profileId,consents,page,utm_source,utm_medium,utm_campaign,utm_term,utm_content');
    expect(lines).toHaveLength(n + 2); // header, rows, and the empty string after the last CRLF
    expect(lines[1]).toContain('sub_00619');
    expect(lines[n]).toBe(`u0@example.jp,"'=cmd|""/c calc""!A1",${at(0)},sub_00000,p0,news:1,,,,,,`);

    let json = '';
    await exportSubmissions(conn.ports, 'contact', { format: 'json', from: '2026-12-01T10:00:00Z' }, async (t) => void (json += t));
    const parsed = JSON.parse(json) as { submissionId: string }[];
    expect(parsed).toHaveLength(n - 600);
    expect(parsed[0]!.submissionId).toBe('sub_00619');
  });

  it('submissions --out writes the file through the command', async () => {
    const out = join(dir, 'contact.csv');
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const program = new Command().exitOverride();
    registerForms(program);
    try {
      await program.parseAsync(
        ['forms', 'submissions', 'contact', '--out', out, '--to', '2026-12-01T00:09:00Z', '--dynamodb-endpoint', aws.emulators.endpoints.dynamodb, '--s3-endpoint', aws.emulators.endpoints.s3, '--table', aws.env.TABLE_NAME!, '--bucket', aws.env.CONTENT_BUCKET!],
        { from: 'user' },
      );
    } finally {
      err.mockRestore();
    }
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.trim().split('\r\n')).toHaveLength(11);
  });
});
