import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { eventsStream } from '../../functions/shared/resources.js';
import { siteListener } from '../../demo/site/serve.js';
import { type Emulators, host, listenOn, startEmulators } from '../emulators/start.js';
import { LocalEventBus } from '../emulators/event-bus.js';
import { KinesisPoller } from '../emulators/kinesis-poller.js';
import { startIamCheck, type IamCheck } from '../iam/index.js';
import { apiListener, loadHandlers } from './api-server.js';
import { type LocalContext, type LocalSecrets, repoRoot } from './context.js';
import { guarded } from './guard.js';
import { plugins } from './plugins.js';
import { analyticsEnv } from './plugins/analytics.js';
import { localStateMachinePrefix, scenariosDirEnv } from './plugins/scenarios.js';
import { sendingEnv } from './plugins/sending.js';
import { crmEnv } from './plugins/crm.js';
import { defaultPorts, type LocalPorts } from './ports.js';
import { localAwsEnv, localName, provision } from './provision.js';

/** Name of the local event bus (on AWS the stack's bus). */
export const localBusName = 'nurture-local';

export interface LocalOptions {
  ports?: Partial<LocalPorts>;
  /** Where data persists across restarts; without it everything lives in a temporary folder. */
  dataDir?: string;
  /** Poll interval of an idle shard (ms). */
  pollIdleMs?: number;
  /** Simulated seconds per real second for scenario waits (NURTURE_TIME_SCALE); 1 = real time. */
  timeScale?: number;
}

export interface LocalNurture {
  apiUrl: string;
  siteUrl: string;
  inboxUrl: string;
  secrets: LocalSecrets;
  emulators: Emulators;
  poller: KinesisPoller;
  bus: LocalEventBus;
  env: Record<string, string>;
  /** Endpoints of services added by capabilities (name → URL), printed at start. */
  extraEndpoints: Record<string, string>;
  /** The IAM check (local/iam): denials and checked calls. */
  iam: IamCheck;
  stop(): Promise<void>;
}

function loadSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'local.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets = {
    writeKey: `local_${randomBytes(12).toString('base64url')}`,
    adminToken: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}


function closeHttp(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((r) => server.close(() => r()));
}

/**
 * Starts Nurture on this machine: emulators, resources, the real handlers behind an API Gateway-shaped
 * HTTP server, the demo site and the stream poller. Later capabilities (the Step Functions runner, the
 * event bus) plug in beside the poller here.
 */
export async function startLocal(opts: LocalOptions = {}): Promise<LocalNurture> {
  const ports = { ...defaultPorts, ...opts.ports };
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'nurture-'));
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadSecrets(dataDir);
  const stops: Array<() => Promise<void>> = [];
  if (!opts.dataDir) stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => console.error(err));
  };

  try {
    const emulators = await startEmulators({
      ports,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      s3Dir: join(dataDir, 's3'),
    });
    stops.push(() => emulators.stop());

    // The servers bind first so the site origin is known for the API's CORS allow-list.
    const api = createServer();
    const site = createServer();
    // Until the handlers are wired, the API answers 503 with Retry-After (as an API Gateway would with a
    // throttled function) instead of leaving early requests hanging.
    const starting = (_req: IncomingMessage, res: ServerResponse) =>
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"success":false,"error":"local mode is starting","retryable":true}');
    api.on('request', starting);
    const apiPort = await listenOn(api, ports.api, 'api');
    stops.push(() => closeHttp(api));
    const sitePort = await listenOn(site, ports.site, 'site');
    stops.push(() => closeHttp(site));
    const apiUrl = `http://${host}:${apiPort}`;
    const siteUrl = `http://${host}:${sitePort}`;

    const bus = new LocalEventBus(emulators.region);
    const busUrl = await bus.listen(ports.eventbridge);
    stops.push(() => bus.close());

    const env: Record<string, string> = {
      ...localAwsEnv(emulators),
      AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
      EVENT_BUS_NAME: localBusName,
      WRITE_KEYS: secrets.writeKey,
      ALLOWED_ORIGINS: [siteUrl, `http://localhost:${sitePort}`].join(','),
      NURTURE_LOCAL: '1',
      // Unsubscribe and tracked links point at this API; the link secret lives in the data folder.
      ...sendingEnv(dataDir, apiUrl, emulators.endpoints.ses),
      // The lake's delivery streams and folder (the local Firehose starts in plugins/analytics.ts).
      ...analyticsEnv(dataDir),
      // The HMAC secret inbound CRM updates are signed with (POST /v1/crm/events), kept in the data folder.
      ...crmEnv(dataDir),
      // Landing pages (/p/<slug> on the API) carry the demo site's tracker, as nurture:trackerScriptUrl does on AWS.
      PAGES_WRITE_KEY: secrets.writeKey,
      TRACKER_SCRIPT_URL: `${siteUrl}/nurture.min.js`,
    };
    // IAM-faithful local mode (local/iam): handlers reach the emulators through proxies checking their role.
    const iam = await startIamCheck({ repoRoot, env, stateMachinePrefix: localStateMachinePrefix, scenariosDir: process.env[scenariosDirEnv] });
    stops.push(() => iam.stop());
    Object.assign(process.env, env);
    await provision(emulators, { templatesDir: join(repoRoot, 'templates') });

    site.on('request', guarded('site', siteListener({ apiUrl, writeKey: secrets.writeKey })));

    const poller = new KinesisPoller({
      kinesis: new KinesisClient({
        endpoint: emulators.endpoints.kinesis,
        region: emulators.region,
        credentials: emulators.credentials,
        requestHandler: new NodeHttpHandler(),
      }),
      streamName: localName(eventsStream.id),
      region: emulators.region,
      idleMs: opts.pollIdleMs ?? 200,
      checkpointFile: join(dataDir, 'checkpoints.json'),
      onFailure: (consumer, records, error) => {
        const file = join(dataDir, 'failed-records.jsonl');
        writeFileSync(file, `${JSON.stringify({ consumer, error, records, at: new Date().toISOString() })}\n`, {
          flag: 'a',
        });
      },
    });
    const extraEndpoints: Record<string, string> = { EventBridge: busUrl };
    const ctx: LocalContext = {
      emulators,
      env,
      poller,
      bus,
      dataDir,
      repoRoot,
      apiUrl,
      siteUrl,
      secrets,
      timeScale: opts.timeScale ?? 1,
      ports,
      extraEndpoints,
      iam,
      onStop: (fn) => stops.push(fn),
    };
    // Each capability wires its consumers, bus rules and runners in its own plugin (local/runtime/plugins/).
    for (const plugin of plugins) await plugin(ctx);
    // After the plugins: they add env (endpoints of their emulators) that HTTP handlers read at cold start.
    const handlers = await loadHandlers();
    api.off('request', starting);
    api.on('request', guarded('api', apiListener(handlers, apiUrl, secrets.adminToken)));

    await poller.start();
    stops.push(() => poller.stop());

    return { apiUrl, siteUrl, inboxUrl: emulators.endpoints.ses, secrets, emulators, poller, bus, env, extraEndpoints, iam, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
