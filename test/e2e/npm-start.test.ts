import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox } from '../helpers/sending.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nurture-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const zeroPorts = Object.fromEntries(
  ['API', 'SITE', 'DYNAMODB', 'KINESIS', 'S3', 'SES', 'EVENTBRIDGE', 'SFN'].map((s) => [`NURTURE_${s}_PORT`, '0']),
);

/** How long a start may take before the test gives up. */
const readyTimeoutMs = 60_000;

interface Started {
  child: ChildProcess;
  lines: Record<string, string>;
  output: () => string;
}

/** Runs local/runtime/main.ts (what `npm start` runs after building the tracker) and waits for its ready banner. */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/runtime/main.ts'], {
    env: { ...process.env, ...zeroPorts, NURTURE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    // Ready in a few seconds on an idle machine; generous for shared CI runners (the figure is benchmarked).
    const timer = setTimeout(() => reject(new Error(`not ready in ${readyTimeoutMs / 1000} s:\n${out}`)), readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        const lines: Record<string, string> = {};
        for (const m of out.matchAll(/^([A-Za-z0-9 ]+):\s+(\S+)$/gm)) lines[m[1]!.trim()] = m[2]!;
        resolve({ child, lines, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start', () => {
  it('prints its URLs, keys and endpoints, stops cleanly on SIGTERM, and keeps data across a restart', async () => {
    const first = await start({});
    for (const label of ['API', 'Demo site', 'Write key', 'Admin token', 'SES inbox', 'DynamoDB', 'Kinesis', 'S3', 'SES v2', 'EventBridge']) {
      expect(first.lines[label], `${label} line`).toBeTruthy();
    }
    const writeKey = first.lines['Write key']!;
    const res = await fetch(`${first.lines.API}/v1/identify`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      body: JSON.stringify({ anonymousId: 'restart-visitor', traits: { email: 'keep@example.com' } }),
    });
    expect(res.status).toBe(200);
    const site = await fetch(first.lines['Demo site']!);
    expect(await site.text()).toContain(writeKey);
    // A mail in the SES inbox (aws-ses-v2-local keeps it in memory only; local mode saves it).
    const ses = new SESv2Client({ endpoint: first.lines['SES v2'], region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'hello@acme-analytics.example',
        Destination: { ToAddresses: ['keep@example.com'] },
        Content: { Simple: { Subject: { Data: 'Kept across a restart' }, Body: { Text: { Data: 'still here' } } } },
      }),
    );
    ses.destroy();
    expect(await stop(first.child)).toBe(0);

    const second = await start({});
    expect(second.lines['Write key']).toBe(writeKey);
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: second.lines.DynamoDB,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );
    const link = await doc.send(new GetCommand({ TableName: 'nurture-main', Key: { pk: 'id#email#keep@example.com', sk: 'link' } }));
    doc.destroy();
    expect(link.Item?.profileId).toMatch(/^p_/);
    const kept = await inbox(second.lines['SES v2']!);
    expect(kept.map((m) => m.subject)).toEqual(['Kept across a restart']);
    expect(kept[0]!.destination.to).toEqual(['keep@example.com']);
    expect(await stop(second.child)).toBe(0);
  }, 3 * readyTimeoutMs);

  it('names the taken port and the variable to change', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/runtime/main.ts'], {
      env: { ...process.env, ...zeroPorts, NURTURE_API_PORT: String(port), NURTURE_DATA_DIR: join(dataDir, 'other') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    blocker.close();
    expect(code).toBe(1);
    expect(out).toContain(`port ${port}`);
    expect(out).toContain('NURTURE_API_PORT');
  }, 60_000);
});

describe('npm start under bad requests and bot traffic', () => {
  let running: Started;
  const api = () => running.lines.API!;
  const admin = () => ({ authorization: `Bearer ${running.lines['Admin token']}` });
  const headless = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36';
  const postBatch = (userAgent: string) =>
    fetch(`${api()}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${running.lines['Write key']}:`).toString('base64')}` },
      body: JSON.stringify({
        batch: [{ type: 'page', anonymousId: `bot-${Math.random()}`, properties: { path: '/pricing.html' }, context: { userAgent } }],
      }),
    });

  beforeAll(async () => {
    running = await start({ NURTURE_DATA_DIR: join(dataDir, 'robust') });
  }, readyTimeoutMs + 10_000);
  afterAll(async () => {
    if (running) await stop(running.child);
  });

  it('answers a malformed %-escape with 400 naming the path, and keeps serving', async () => {
    const bad = await fetch(`${api()}/v1/admin/profiles/%ZZ`, { headers: admin() });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: false, field: 'path', error: expect.any(String) });
    const badPage = await fetch(`${running.lines['Demo site']}/%ZZ`);
    expect(badPage.status).toBe(400);
    expect(badPage.headers.get('content-type')).toContain('text/html');
    expect(running.child.exitCode).toBeNull();
    expect((await fetch(`${api()}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${running.lines['Demo site']}/pricing`)).status).toBe(200);
  });

  it('says once, pointing to the README, that it does not score a headless browser', async () => {
    expect((await postBatch(headless)).status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (!running.output().includes('bots never score') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await postBatch(headless)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    const notices = running.output().split('\n').filter((l) => l.includes('bots never score'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('HeadlessChrome');
    expect(notices[0]).toContain('Bots and headless browsers');
    expect(readFileSync('README.md', 'utf8')).toContain('### Bots and headless browsers');
  }, 30_000);

  it('npm run demo finds the API on NURTURE_API_PORT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/traffic.ts', '--visitors', '2', '--shoppers', '0', '--rate', '20'], {
      env: { ...process.env, NURTURE_API_PORT: new URL(api()).port, NURTURE_DATA_DIR: join(dataDir, 'robust') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(out).toContain('2 visitors');
    expect(code).toBe(0);
  }, 30_000);

  it('prints no "No application metrics" noise for requests that record no metric', async () => {
    expect((await fetch(`${api()}/v1/admin/leads`, { headers: admin() })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(running.output()).not.toContain('No application metrics');
  });
});
