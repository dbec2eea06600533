import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { guarded } from '../../../local/runtime/guard.js';

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(listener: Parameters<typeof guarded>[1]): Promise<string> {
  server = createServer(guarded('test', listener));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a local server request that fails', () => {
  it('answers 500 as API Gateway does when the listener throws, and keeps serving', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const url = await serve((_req, res) => {
      if (calls++ === 0) throw new URIError('URI malformed');
      res.end('fine');
    });
    const failed = await fetch(`${url}/first`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(await (await fetch(`${url}/second`)).text()).toBe('fine');
    expect(String(logged.mock.calls[0]?.[0])).toContain('GET /first');
  });

  it('answers 500 when the listener returns a rejected promise', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = await serve(async () => {
      await Promise.resolve();
      throw new Error('handler blew up');
    });
    expect((await fetch(url)).status).toBe(500);
  });

  it('closes the connection when the answer had already started', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = await serve(async (_req, res) => {
      res.writeHead(200);
      res.write('partial');
      throw new Error('after the headers');
    });
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
  });
});
