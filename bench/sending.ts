/**
 * Sending benchmark (issue: sending). Not a test: prints figures and saves them for the cost model.
 *
 *   npm run bench:sending [-- --emails 400 --concurrency 16]
 *
 * Runs the real send handler in this process against the local emulators (dynalite, s3rver,
 * aws-ses-v2-local). DynamoDB traffic goes through a counting proxy that sees every request on the
 * wire, asks for ConsumedCapacity and counts a failed conditional write as the 1 WRU AWS bills for it.
 * Measured in the same run, so ratios hold on any machine:
 * - baseline: bare SES SendEmail calls to the local SES (the floor of any send path here), and bare
 *   single-item UpdateItem calls to dynalite;
 * - the send function: sends/s, DynamoDB write and read requests and units per email;
 * - the over-cap path (skipped without a write) and the replay path (same idempotency key).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startEmulators } from '../local/emulators/start.js';
import { localAwsEnv, provision } from '../local/runtime/provision.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({ options: { emails: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' } } });
const emails = Math.min(5_000, Number(values.emails));
const concurrency = Math.min(128, Number(values.concurrency));

interface Counts {
  writes: number;
  reads: number;
  wru: number;
  rru: number;
  failedConditions: number;
}
const zero = (): Counts => ({ writes: 0, reads: 0, wru: 0, rru: 0, failedConditions: 0 });
let counts = zero();
const writeOps = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const readOps = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

/** A proxy in front of dynalite that counts requests and capacity (the "middleware on the wire"). */
async function countingProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let body = Buffer.concat(chunks);
      if (writeOps.has(op) || readOps.has(op)) {
        const json = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        json.ReturnConsumedCapacity = 'TOTAL';
        body = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...req.headers, 'content-length': String(body.length) };
      // The SDK signs the body; dynalite does not verify signatures, so the rewrite is harmless here.
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
        const out: Buffer[] = [];
        answer.on('data', (c: Buffer) => out.push(c));
        answer.on('end', () => {
          const text = Buffer.concat(out).toString('utf8');
          if (writeOps.has(op) || readOps.has(op)) {
            const parsed = JSON.parse(text || '{}') as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]; __type?: string };
            const units = [parsed.ConsumedCapacity ?? []].flat().reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
            if (writeOps.has(op)) {
              counts.writes++;
              const failed = String(parsed.__type ?? '').endsWith('ConditionalCheckFailedException');
              if (failed) counts.failedConditions++;
              counts.wru += failed ? 1 : units;
            } else {
              counts.reads++;
              counts.rru += units;
            }
          }
          res.writeHead(answer.statusCode ?? 500, { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) });
          res.end(text);
        });
      });
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

const template = `---
subject: "Welcome, {{ profile.traits.firstName | default: 'there' }}"
category: marketing
preheader: Three ways to start
---
<html><body><h1>Hi {{ profile.traits.firstName }}</h1>
<p>Thanks for getting in touch. Here is what teams do in their first week.</p>
<p><a href="https://www.example.com/products">Products</a> · <a href="https://www.example.com/pricing">Pricing</a></p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>
`;

const s3Dir = mkdtempSync(join(tmpdir(), 'nurture-bench-s3-'));
const emu = await startEmulators({ ports: { dynamodb: 0, kinesis: 0, s3: 0, ses: 0 }, s3Dir });
try {
  await provision(emu);
  const proxy = await countingProxy(emu.endpoints.dynamodb);
  Object.assign(process.env, {
    ...localAwsEnv(emu),
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    SENDER_ADDRESS: 'news@acme.example',
    PUBLIC_API_URL: 'https://api.bench.example',
    LINK_SECRET: 'bench-link-secret-0123456789abcdef0123456789',
    QUIET_HOURS: 'off',
    SEND_CAPS: JSON.stringify({ marketing: { perDay: 1, perWeek: 3 } }),
  });
  const { s3Client } = await import('../functions/shared/aws/s3.js');
  const { S3TemplateStore } = await import('../functions/sending/adapters/s3-templates.js');
  const { checkStoredTemplate } = await import('../functions/sending/adapters/template-checker.js');
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: process.env.CONTENT_BUCKET, Key: 'templates/welcome.liquid', Body: template }));
  await checkStoredTemplate(new S3TemplateStore(s3, process.env.CONTENT_BUCKET!), 'templates/welcome.liquid');
  const { handler: send } = (await import('../functions/sending/send.js')) as { handler: (i: unknown) => Promise<{ status: string }> };

  const cfg = { region: emu.region, credentials: emu.credentials };
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...cfg, endpoint: emu.endpoints.dynamodb }));
  const table = process.env.TABLE_NAME!;
  const total = emails + 100;
  const now = new Date().toISOString();
  await pool(
    Array.from({ length: total }, (_, i) => i),
    32,
    async (i) => {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `p#p_bench_${i}`,
            sk: 'profile',
            profileId: `p_bench_${i}`,
            email: `lead${i}@example.com`,
            timezone: 'Europe/Berlin',
            traits: { firstName: `Lead ${i}`, company: 'Example Co' },
            known: true,
            stage: 'known',
            score: { value: 12, asOf: now, fit: 0, categories: {} },
            createdAt: now,
            updatedAt: now,
          },
        }),
      );
    },
  );

  // Baselines, same machine, same run.
  const ses = new SESv2Client({ ...cfg, endpoint: emu.endpoints.ses });
  const sesSeconds = await pool(
    Array.from({ length: emails }, (_, i) => i),
    concurrency,
    async (i) => {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'news@acme.example',
          Destination: { ToAddresses: [`baseline${i}@example.com`] },
          Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Html: { Data: '<p>Hi</p>' }, Text: { Data: 'Hi' } } } },
        }),
      );
    },
  );
  const ddbSeconds = await pool(
    Array.from({ length: emails }, (_, i) => i),
    concurrency,
    async (i) => {
      await doc.send(
        new UpdateCommand({ TableName: table, Key: { pk: `bench#${i % 50}`, sk: 'n' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }),
      );
    },
  );

  // Warm the handler (template cache, Liquid parse) so the run measures the steady state.
  await send({ profileId: `p_bench_${emails + 99}`, templateId: 'welcome', idempotencyKey: 'warm', category: 'marketing' });

  // Sequential: the per-email duration a Lambda would bill (one send per invocation).
  counts = zero();
  const sequential = 50;
  const seqSeconds = await pool(
    Array.from({ length: sequential }, (_, i) => emails + i),
    1,
    async (i) => {
      await send({ profileId: `p_bench_${i}`, templateId: 'welcome', idempotencyKey: `seq-${i}`, category: 'marketing' });
    },
  );

  // Concurrent: throughput and DynamoDB cost per email.
  counts = zero();
  let sent = 0;
  const sendSeconds = await pool(
    Array.from({ length: emails }, (_, i) => i),
    concurrency,
    async (i) => {
      const r = await send({ profileId: `p_bench_${i}`, templateId: 'welcome', idempotencyKey: `run-${i}`, category: 'marketing' });
      if (r.status === 'sent') sent++;
    },
  );
  const perEmail = { ...counts };

  // Over the cap (1/day): a second mail to the same people the same day.
  counts = zero();
  let skipped = 0;
  await pool(
    Array.from({ length: emails }, (_, i) => i),
    concurrency,
    async (i) => {
      const r = await send({ profileId: `p_bench_${i}`, templateId: 'welcome', idempotencyKey: `second-${i}`, category: 'marketing' });
      if (r.status === 'skipped') skipped++;
    },
  );
  const overCap = { ...counts };

  // Replays: the same idempotency keys again (a retried task).
  counts = zero();
  await pool(
    Array.from({ length: emails }, (_, i) => i),
    concurrency,
    async (i) => {
      await send({ profileId: `p_bench_${i}`, templateId: 'welcome', idempotencyKey: `run-${i}`, category: 'marketing' });
    },
  );
  const replay = { ...counts };

  const inbox = ((await (await fetch(`${emu.endpoints.ses}/store`)).json()) as { emails: unknown[] }).emails.length;
  const f = (n: number, d = 2) => n.toFixed(d);
  const sendsPerSecond = sent / sendSeconds;
  console.log(
    [
      `sending benchmark: ${emails} emails to ${emails} recipients, concurrency ${concurrency}, in-process handler against local emulators`,
      '',
      `baseline  SES SendEmail (bare SDK call)       ${f(emails / sesSeconds, 0).padStart(7)} /s`,
      `baseline  DynamoDB UpdateItem (bare SDK call)  ${f(emails / ddbSeconds, 0).padStart(7)} /s`,
      `send function                                  ${f(sendsPerSecond, 0).padStart(7)} sends/s  (${f((sendsPerSecond / (emails / sesSeconds)) * 100, 0)}% of bare SES)`,
      `send function, one at a time                   ${f((seqSeconds / sequential) * 1000, 1).padStart(7)} ms per email`,
      '',
      `per email sent        DynamoDB write requests ${f(perEmail.writes / sent)}  (target ≤ 2)   write units ${f(perEmail.wru / sent)}   read requests ${f(perEmail.reads / sent)}   read units ${f(perEmail.rru / sent)}`,
      `per over-cap attempt  DynamoDB write requests ${f(overCap.writes / emails)}   read requests ${f(overCap.reads / emails)}   (${skipped} of ${emails} skipped)`,
      `per replayed key      DynamoDB write requests ${f(replay.writes / emails)}   read requests ${f(replay.reads / emails)}`,
      `failed conditional writes during the run: ${perEmail.failedConditions + overCap.failedConditions + replay.failedConditions}`,
      `local SES inbox: ${inbox} mails (${emails} baseline + ${sent + sequential + 1} sent by the function)`,
    ].join('\n'),
  );
  saveResults('sending', {
    sendsPerSecond,
    writeRequestsPerEmail: perEmail.writes / sent,
    writeUnitsPerEmail: perEmail.wru / sent,
    readRequestsPerEmail: perEmail.reads / sent,
    readUnitsPerEmail: perEmail.rru / sent,
    sendMsPerEmail: (seqSeconds / sequential) * 1000,
    baselineSesSendsPerSecond: emails / sesSeconds,
    writeRequestsPerOverCapAttempt: overCap.writes / emails,
  });
  ses.destroy();
  doc.destroy();
  proxy.server.close();
} finally {
  await emu.stop();
  rmSync(s3Dir, { recursive: true, force: true });
}
process.exit(0);
