/**
 * A loopback HTTP proxy in front of one emulator. A request that names a principal (principal.ts) is
 * checked first and, if IAM would deny it, answered with the service's AccessDenied; every other request
 * (test set-up, the runtime's own calls, an operator's AWS CLI) passes through unchanged. While a
 * benchmark meters (meter.ts), each forwarded request is reported with its answer.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { askForCapacity, consumedUnits, currentMeter, type Meter, withoutCapacity } from './meter.js';
import { principalHeader } from './principal.js';
import type { RawRequest, Service } from './requests.js';
import type { DeniedResponse } from './responses.js';

export type RequestCheck = (service: Service, principal: string, request: RawRequest) => DeniedResponse | undefined;

export interface CheckingProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** `X-Amz-Target`'s operation (JSON protocols), else the method and path. */
function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target) return target.slice(target.lastIndexOf('.') + 1);
  return `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A metered answer: reported to the meter, then handed back as the caller asked for it (meter.ts). */
async function meteredAnswer(service: Service, meter: Meter, req: IncomingMessage, answer: IncomingMessage, injected: boolean) {
  const raw = await readBody(answer);
  const principal = req.headers[principalHeader];
  const dynamo = service === 'dynamodb' && !answer.headers['content-encoding'];
  meter.exchange?.({
    service,
    principal: typeof principal === 'string' && principal ? principal : undefined,
    operation: operationOf(req),
    status: answer.statusCode ?? 502,
    ...(dynamo ? { capacityUnits: consumedUnits(raw) } : {}),
  });
  const out = injected && dynamo ? withoutCapacity(raw) : raw;
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(out.length);
  // dynalite's checksum was over the body the caller may no longer get (SDK v3 does not check it).
  if (out !== raw) delete headers['x-amz-crc32'];
  return { headers, body: out };
}

/**
 * Starts a proxy for `service` forwarding to `target` (an http://host:port URL) on `port`, or on an
 * ephemeral port if that one is taken (or 0).
 */
export async function startCheckingProxy(service: Service, target: string, check: RequestCheck, port = 0): Promise<CheckingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const principal = req.headers[principalHeader];
    const headers = { ...req.headers };
    delete headers[principalHeader];
    // The body is already read in full: no 100-continue round trip with the emulator.
    delete headers.expect;
    if (typeof principal === 'string' && principal) {
      const denied = check(service, principal, { method: req.method ?? 'GET', url: req.url ?? '/', headers, body });
      if (denied) {
        res.writeHead(denied.status, { ...denied.headers, 'content-length': Buffer.byteLength(denied.body) }).end(denied.body);
        return;
      }
    }
    const meter = currentMeter();
    let sent = body;
    let injected = false;
    // Metering DynamoDB: ask for the capacity consumed (dynalite does not verify signatures over the body).
    if (meter?.exchange && service === 'dynamodb') ({ body: sent, injected } = askForCapacity(body));
    if (injected) headers['content-length'] = String(sent.length);
    // Host stays as the client signed it (s3rver verifies SigV4 signatures over it).
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        if (!meter?.exchange) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        meteredAnswer(service, meter, req, answer, injected).then(
          ({ headers: h, body: b }) => res.writeHead(answer.statusCode ?? 502, h).end(b),
          () => res.destroy(),
        );
      },
    );
    forward.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`local ${service} emulator unreachable: ${err.message}`);
      else res.destroy();
    });
    forward.end(sent);
  };
  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(port).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || port === 0) throw err;
    return listen(0);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
