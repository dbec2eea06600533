import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  statuses: Record<number, number>;
}

/**
 * A closed-loop HTTP load: `concurrency` keep-alive connections each send the next request as soon as the
 * previous answer arrives, for `seconds`. Bounded in time and only ever aimed at loopback.
 */
export async function load(opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: () => string;
  seconds: number;
  concurrency: number;
}): Promise<LoadResult> {
  const url = new URL(opts.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('benchmarks only target loopback');
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const statuses: Record<number, number> = {};
  let requests = 0;
  let errors = 0;
  const end = Date.now() + opts.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const body = opts.body?.();
      const req = request(
        url,
        {
          method: opts.method ?? 'GET',
          agent,
          headers: { ...(opts.headers ?? {}), ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          res.resume();
          res.on('end', () => {
            requests++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  return { requests, errors, seconds, perSecond: requests / seconds, statuses };
}
