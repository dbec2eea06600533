import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'nurture-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const zeroPorts = Object.fromEntries(
  ['API', 'SITE', 'DYNAMODB', 'KINESIS', 'S3', 'SES', 'EVENTBRIDGE', 'SFN'].map((s) => [`NURTURE_${s}_PORT`, '0']),
);

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
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${out}`)), 30_000);
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
    expect(await stop(second.child)).toBe(0);
  }, 90_000);

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
