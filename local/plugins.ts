import type { LocalEventBus } from './event-bus.js';
import type { Emulators } from './emulators.js';
import type { IamCheck } from './iam/index.js';
import type { KinesisPoller } from './kinesis-poller.js';
import type { LocalPorts, LocalSecrets } from './runtime.js';
import { scenariosPlugin } from './plugins/scenarios.js';
import { scoringPlugin } from './plugins/scoring.js';
import { sendingPlugin } from './plugins/sending.js';

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

/** Capabilities' local wiring, in start order (stream consumers before the poller starts). */
export const plugins: LocalPlugin[] = [scoringPlugin, scenariosPlugin, sendingPlugin];
