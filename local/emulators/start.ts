import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { persistInbox } from './ses-inbox.js';
import { emulateTransactWrite } from './dynamo-transactions.js';

const require = createRequire(import.meta.url);

/** Loopback only: the emulators have no authentication. */
export const host = '127.0.0.1';

export interface EmulatorPorts {
  dynamodb: number;
  kinesis: number;
  s3: number;
  ses: number;
}

/** Default ports of `npm start`; tests pass 0 for ephemeral ports. */
export const defaultEmulatorPorts: EmulatorPorts = { dynamodb: 4566, kinesis: 4567, s3: 4568, ses: 4569 };

export interface Emulators {
  endpoints: Record<keyof EmulatorPorts, string>;
  /** Credentials every emulator accepts (s3rver insists on these exact values). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly service: string,
    readonly port: number,
  ) {
    super(
      `port ${port} for the local ${service} emulator is taken; stop what uses it or choose another ` +
        `port with NURTURE_${service.toUpperCase()}_PORT`,
    );
  }
}

/** Listens on loopback; a taken port becomes a PortInUseError naming the service and its variable. */
export function listenOn(server: Server, port: number, service: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(service, port) : err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: { close(cb: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts DynamoDB (dynalite), Kinesis (kinesalite), S3 (s3rver) and SES v2 (aws-ses-v2-local) in this
 * process on loopback. With `dataDir` DynamoDB, Kinesis, S3 and the SES inbox (ses/inbox.jsonl) persist there.
 */
export async function startEmulators(opts: { ports?: Partial<EmulatorPorts>; dataDir?: string; s3Dir: string }): Promise<Emulators> {
  const ports = { ...defaultEmulatorPorts, ...opts.ports };
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynalite = require('dynalite') as (o: object) => Server;
    const kinesalite = require('kinesalite') as (o: object) => Server;
    const S3rver = require('s3rver') as new (o: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };

    const dataPath = (name: string) => {
      if (!opts.dataDir) return undefined;
      const dir = join(opts.dataDir, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    const ddb = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: dataPath('dynamodb') });
    emulateTransactWrite(ddb);
    const ddbPort = await listenOn(ddb, ports.dynamodb, 'dynamodb');
    started.push(() => close(ddb));

    const kin = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, path: dataPath('kinesis') });
    const kinPort = await listenOn(kin, ports.kinesis, 'kinesis');
    started.push(() => close(kin));

    mkdirSync(opts.s3Dir, { recursive: true });
    const s3 = new S3rver({ port: ports.s3, address: host, directory: opts.s3Dir, silent: true });
    let s3Port: number;
    try {
      s3Port = (await s3.run()).port;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError('s3', ports.s3);
      throw err;
    }
    started.push(() => s3.close());

    const ses = (await import('aws-ses-v2-local')).default as unknown as (c: object) => Promise<Server>;
    // aws-ses-v2-local resolves only once listening and never rejects: probe the port first.
    await assertFree(ports.ses, 'ses');
    const sesServer = await ses({ host, port: ports.ses });
    const sesPort = (sesServer.address() as AddressInfo).port;
    started.push(() => close(sesServer));
    if (opts.dataDir) {
      const inbox = persistInbox(join(opts.dataDir, 'ses', 'inbox.jsonl'));
      started.push(async () => inbox.stop());
    }

    const url = (port: number) => `http://${host}:${port}`;
    return {
      endpoints: { dynamodb: url(ddbPort), kinesis: url(kinPort), s3: url(s3Port), ses: url(sesPort) },
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      region: 'us-east-1',
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function assertFree(port: number, service: string): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(service, port) : err),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
