import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Profile } from '../../functions/profiles/domain/profile.js';

/** One mail as the local SES inbox (aws-ses-v2-local `GET /store`) keeps it. */
export interface InboxMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

/** Every mail in the local SES inbox (one inbox per process; each test file runs in its own). */
export async function inbox(sesEndpoint: string): Promise<InboxMail[]> {
  const res = await fetch(`${sesEndpoint}/store`);
  return ((await res.json()) as { emails: InboxMail[] }).emails;
}

export async function inboxOf(sesEndpoint: string, to: string): Promise<InboxMail[]> {
  return (await inbox(sesEndpoint)).filter((m) => m.destination.to.includes(to));
}

export type SesFault = 'none' | 'refuse' | 'throttle' | 'drop-response';

export interface SesProxy {
  url: string;
  fault: SesFault;
  /** SendEmail calls still to answer 429 TooManyRequestsException, whatever `fault` says (SES throttling a burst). */
  throttleNext: number;
  /** SendEmail calls that reached the proxy, throttled ones included. */
  readonly sendCalls: number;
  stop(): Promise<void>;
}

/**
 * A loopback proxy in front of the SES emulator that can misbehave on demand, for the failure paths:
 * `refuse` answers 400 MessageRejected (SES said no), `throttle` answers 429, `drop-response` forwards the
 * request (SES accepts the mail) and then cuts the connection before the answer reaches the caller.
 */
export async function startSesProxy(target: string): Promise<SesProxy> {
  const upstream = new URL(target);
  const state = { fault: 'none' as SesFault, throttleNext: 0, sendCalls: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sending = req.url?.startsWith('/v2/email/outbound-emails');
      if (sending) state.sendCalls++;
      const throttled = sending && state.throttleNext > 0;
      if (throttled) state.throttleNext--;
      if (sending && state.fault === 'refuse') {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
        res.end(JSON.stringify({ message: 'Email address is not verified.' }));
        return;
      }
      if (throttled || (sending && state.fault === 'throttle')) {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            if (sending && state.fault === 'drop-response') {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get fault() {
      return state.fault;
    },
    set fault(f: SesFault) {
      state.fault = f;
    },
    get throttleNext() {
      return state.throttleNext;
    },
    set throttleNext(n: number) {
      state.throttleNext = n;
    },
    get sendCalls() {
      return state.sendCalls;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * An IANA zone (Etc/GMT±N) whose wall clock shows `hour` right now, so tests can place a recipient in the
 * middle of the day or of the night whatever time the suite runs.
 */
export function zoneAtLocalHour(hour: number, now = new Date()): string {
  let offset = (hour - now.getUTCHours() + 24) % 24;
  if (offset > 14) offset -= 24;
  if (offset === 0) return 'Etc/GMT';
  // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** Writes a profile item as the stream processor would (test fixture). */
export async function putProfile(
  doc: DynamoDBDocumentClient,
  tableName: string,
  profile: Partial<Profile> & { profileId: string },
): Promise<Profile> {
  const now = new Date().toISOString();
  const full: Profile = {
    createdAt: now,
    updatedAt: now,
    known: true,
    traits: {},
    stage: 'known',
    score: { value: 10, asOf: now, fit: 0, categories: {} },
    ...profile,
  };
  await doc.send(new PutCommand({ TableName: tableName, Item: { pk: `p#${profile.profileId}`, sk: 'profile', ...full } }));
  return full;
}

export async function putTemplate(s3: S3Client, bucket: string, file: string, source: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `templates/${file}`, Body: source }));
}
