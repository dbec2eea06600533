import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalEventBus } from '../emulators/event-bus.js';
import type { KinesisPoller } from '../emulators/kinesis-poller.js';
import type { Emulators } from '../emulators/start.js';
import type { IamCheck } from '../iam/index.js';
import type { LocalPorts } from './ports.js';

/** The checkout's root folder (templates/, statemachines/, tracker/dist live under it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Secrets of one local installation, generated at first start and kept in the data folder. */
export interface LocalSecrets {
  writeKey: string;
  adminToken: string;
}

/** What a capability's local plugin gets to wire itself into `npm start`. */
export interface LocalContext {
  emulators: Emulators;
  /** Environment already applied to process.env (handlers read it at import). */
  env: Record<string, string>;
  poller: KinesisPoller;
  bus: LocalEventBus;
  dataDir: string;
  repoRoot: string;
  apiUrl: string;
  siteUrl: string;
  secrets: LocalSecrets;
  /** Simulated seconds per real second for waits. */
  timeScale: number;
  /** Ports asked for (0 = any free port). */
  ports: LocalPorts;
  /** Add `name → URL` lines to the ready banner. */
  extraEndpoints: Record<string, string>;
  /** IAM-faithful local mode: proxied endpoints and the state machines' task wrapper. */
  iam: IamCheck;
  /** Registers cleanup, run in reverse order on stop. */
  onStop(fn: () => Promise<void>): void;
}

export type LocalPlugin = (ctx: LocalContext) => Promise<void>;
