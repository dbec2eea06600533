/**
 * A loopback HTTP proxy in front of one emulator. A request that names a principal (principal.ts) is
 * checked first and, if IAM would deny it, answered with the service's AccessDenied; every other request
 * (test set-up, the runtime's own calls, an operator's AWS CLI) passes through unchanged.
 */
import { Agent, createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { principalHeader } from './principal.js';
import type { RawRequest, Service } from './requests.js';
import type { DeniedResponse } from './responses.js';

export type RequestCheck = (service: Service, principal: string, request: RawRequest) => DeniedResponse | undefined;

export interface CheckingProxy {
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
    // Host stays as the client signed it (s3rver verifies SigV4 signatures over it).
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`local ${service} emulator unreachable: ${err.message}`);
      else res.destroy();
    });
    forward.end(body);
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
