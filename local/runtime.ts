import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { functionEntries, routes, type FunctionName } from '../functions/shared/routes.js';
import { eventsStream } from '../functions/shared/resources.js';
import { type HttpHandler, invokeHttp } from './api-gateway.js';
import { type EmulatorPorts, type Emulators, host, listenOn, startEmulators } from './emulators.js';
import { asFunction, type IamCheck, startIamCheck } from './iam/index.js';
import { LocalEventBus } from './event-bus.js';
import { KinesisPoller } from './kinesis-poller.js';
import { plugins, type LocalContext } from './plugins.js';
import { localStateMachinePrefix, scenariosDirEnv } from './plugins/scenarios.js';
import { sendingEnv } from './plugins/sending.js';
import { localAwsEnv, localName, provision } from './provision.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalPorts extends EmulatorPorts {
  api: number;
  site: number;
  eventbridge: number;
  sfn: number;
}

export const defaultPorts: LocalPorts = {
  api: 4000,
  site: 4001,
  dynamodb: 4570,
  kinesis: 4571,
  s3: 4572,
  ses: 4573,
  eventbridge: 4574,
  sfn: 4575,
};

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

/** Secrets of one local installation, generated at first start and kept in the data folder. */
export interface LocalSecrets {
  writeKey: string;
  adminToken: string;
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
      ...sendingEnv(dataDir, apiUrl),
    };
    // IAM-faithful local mode (local/iam): handlers reach the emulators through proxies checking their role.
    const iam = await startIamCheck({ repoRoot, env, stateMachinePrefix: localStateMachinePrefix, scenariosDir: process.env[scenariosDirEnv] });
    stops.push(() => iam.stop());
    Object.assign(process.env, env);
    await provision(emulators, { templatesDir: join(repoRoot, 'templates') });

    site.on('request', (req, res) => serveSite(req, res, { apiUrl, writeKey: secrets.writeKey }));

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
    // Each capability wires its consumers, bus rules and runners in its own plugin (local/plugins/).
    for (const plugin of plugins) await plugin(ctx);
    // After the plugins: they add env (endpoints of their emulators) that HTTP handlers read at cold start.
    const handlers = await loadHandlers();
    api.on('request', (req, res) => void routeApi(req, res, handlers, apiUrl, secrets.adminToken));

    await poller.start();
    stops.push(() => poller.stop());

    return { apiUrl, siteUrl, inboxUrl: emulators.endpoints.ses, secrets, emulators, poller, bus, env, extraEndpoints, iam, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function loadHandlers(): Promise<Record<FunctionName, HttpHandler>> {
  const out = {} as Record<FunctionName, HttpHandler>;
  const httpFunctions = new Set(routes.map((r) => r.fn));
  for (const [name, entry] of Object.entries(functionEntries) as [FunctionName, string][]) {
    if (!httpFunctions.has(name)) continue;
    const mod = (await import(join(repoRoot, entry))) as { handler: HttpHandler };
    out[name] = asFunction(name, mod.handler);
  }
  return out;
}

async function routeApi(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  handlers: Record<FunctionName, HttpHandler>,
  apiUrl: string,
  adminToken: string,
): Promise<void> {
  const path = new URL(req.url ?? '/', apiUrl).pathname;
  const method = req.method ?? 'GET';
  if (path === '/openapi.json' && method === 'GET') {
    const { openApiDocument } = await import('./openapi.js');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(openApiDocument(apiUrl), null, 2));
    return;
  }
  const match = matchRoute(method, path);
  const route = match?.route;
  if (!match || !route) {
    const known = routes.some((r) => matchPath(r.path, path));
    res
      .writeHead(known ? 405 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ success: false, error: known ? 'method not allowed' : 'not found' }));
    return;
  }
  if (route.auth === 'admin' && method !== 'OPTIONS') {
    // What API Gateway's IAM authorizer does on AWS: no credentials 401, wrong ones 403.
    const auth = req.headers.authorization;
    if (!auth) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"success":false,"error":"admin token required: Authorization: Bearer <token printed by npm start>"}');
      return;
    }
    if (auth !== `Bearer ${adminToken}`) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"success":false,"error":"admin token not accepted"}');
      return;
    }
  }
  await invokeHttp(req, res, `${route.method} ${route.path}`, route.fn, handlers[route.fn], match.pathParameters);
}

/** Finds the route for a request; `{name}` segments capture path parameters, `{proxy+}` the rest. */
function matchRoute(method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method && !(method === 'OPTIONS' && route.cors)) continue;
    const params = matchPath(route.path, path);
    if (params) return { route, pathParameters: params };
  }
  return undefined;
}

export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const greedy = /^\{(\w+)\+\}$/.exec(seg);
    if (greedy) {
      if (i >= p.length) return undefined;
      params[greedy[1]!] = p.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    if (i >= p.length) return undefined;
    const param = /^\{(\w+)\}$/.exec(seg);
    if (param) {
      if (!p[i]) return undefined;
      params[param[1]!] = decodeURIComponent(p[i]!);
    } else if (seg !== p[i]) return undefined;
  }
  return t.length === p.length ? params : undefined;
}

const siteDir = join(repoRoot, 'local', 'site');
const trackerFile = join(repoRoot, 'tracker', 'dist', 'nurture.min.js');
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Serves the demo site, with the local API URL and write key filled into its tracker snippet. */
function serveSite(
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  fill: { apiUrl: string; writeKey: string },
): void {
  let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = path === '/nurture.min.js' ? trackerFile : normalize(join(siteDir, path));
  if (file !== trackerFile && !file.startsWith(siteDir + sep)) {
    res.writeHead(403).end();
    return;
  }
  const candidates = extname(file) ? [file] : [file, `${file}.html`];
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(
      file === trackerFile ? 'tracker not built: run npm run build:tracker' : 'not found',
    );
    return;
  }
  const type = contentTypes[extname(found)] ?? 'application/octet-stream';
  let body: Buffer | string = readFileSync(found);
  if (extname(found) === '.html') {
    body = body
      .toString('utf8')
      .replaceAll('%%NURTURE_API%%', fill.apiUrl)
      .replaceAll('%%NURTURE_WRITE_KEY%%', fill.writeKey);
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(body);
}
