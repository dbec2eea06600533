import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeHttp } from '../../../local/emulators/api-gateway.js';

let server: Server;
let url: string;
let seen: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void invokeHttp(req, res, 'POST /v1/batch', 'collect', async (event) => {
      seen.push(event);
      return { statusCode: 204 };
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function send(body: Buffer | string, headers: Record<string, string>) {
  seen = [];
  await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return seen[0]!;
}

describe('local API Gateway: request bodies as AWS hands them over', () => {
  it('hands a body with a Content-Encoding over base64-encoded, whatever its content type', async () => {
    const gz = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'Zipped ✓' }] }));
    for (const contentType of ['application/json', 'text/plain', undefined]) {
      const event = await send(gz, { 'content-encoding': 'gzip', ...(contentType ? { 'content-type': contentType } : {}) });
      expect(event.isBase64Encoded).toBe(true);
      expect(gunzipSync(Buffer.from(event.body!, 'base64')).toString('utf8')).toContain('Zipped ✓');
    }
  });

  it('still hands a plain JSON body over as text', async () => {
    const event = await send('{"a":"✓"}', { 'content-type': 'application/json' });
    expect(event).toMatchObject({ isBase64Encoded: false, body: '{"a":"✓"}' });
  });
});
