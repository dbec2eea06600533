import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import { apiEvent, basicAuth, browserUserAgent } from '../../helpers/api-event.js';
import { asFunction, readStream, startTestAws, type TestAws } from '../../helpers/local-aws.js';

const writeKey = 'test_write_key_1';
let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function post(path: string, body: unknown, headers: Record<string, string> = basicAuth(writeKey)) {
  const res = await handler(apiEvent({ path, body, headers }), context);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') as Record<string, unknown>, headers: res.headers ?? {} };
}

beforeAll(async () => {
  aws = await startTestAws({ WRITE_KEYS: `${writeKey},other_key_2`, ALLOWED_ORIGINS: 'https://shop.example.com' });
  handler = asFunction('collect', ((await import('../../../functions/ingest/collect.js')) as unknown as { handler: typeof handler }).handler);
});
afterAll(async () => aws?.stop());

const stream = () => readStream(aws.kinesis, aws.env.EVENTS_STREAM_NAME!);

describe('collect → local Kinesis', () => {
  it('writes a 20-event batch with one visitor per partition key, in order', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: 'track',
      event: `Step ${i}`,
      anonymousId: i % 2 === 0 ? 'visitor-even' : 'visitor-odd',
      messageId: `batch-${i}`,
      context: { userAgent: browserUserAgent, page: { url: 'https://shop.example.com/?utm_source=mail' } },
    }));
    const res = await post('/v1/batch', { batch, sentAt: new Date().toISOString() });
    expect(res).toMatchObject({ status: 200, body: { success: true } });

    const records = (await stream()).filter((r) => String(r.data.messageId).startsWith('batch-'));
    expect(records).toHaveLength(20);
    for (const visitor of ['visitor-even', 'visitor-odd']) {
      const mine = records.filter((r) => r.partitionKey === visitor);
      expect(new Set(mine.map((r) => r.shardId)).size).toBe(1);
      expect(mine.map((r) => r.data.event)).toEqual(
        batch.filter((m) => m.anonymousId === visitor).map((m) => m.event),
      );
    }
    expect(records[0]?.data).toMatchObject({ context: { campaign: { source: 'mail' } }, nurture: { bot: false } });
  });

  it('accepts sendBeacon-style text/plain bodies with the key in the body', async () => {
    const res = await handler(
      apiEvent({
        path: '/v1/batch',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example.com' },
        body: JSON.stringify({ writeKey, batch: [{ type: 'page', anonymousId: 'beacon-1', messageId: 'beacon-msg' }] }),
      }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['access-control-allow-origin']).toBe('https://shop.example.com');
    expect((await stream()).some((r) => r.data.messageId === 'beacon-msg')).toBe(true);
  });

  it('refuses other origins (403) and unknown keys (401) without writing anything', async () => {
    const before = (await stream()).length;
    const foreign = await handler(
      apiEvent({ path: '/v1/track', headers: { origin: 'https://evil.example', ...basicAuth(writeKey) }, body: { anonymousId: 'x', event: 'E' } }),
      context,
    );
    expect(foreign.statusCode).toBe(403);
    expect(JSON.parse(foreign.body!)).toMatchObject({ field: 'origin' });
    const unknown = await post('/v1/track', { anonymousId: 'x', event: 'E' }, basicAuth('wrong_key_000'));
    expect(unknown.status).toBe(401);
    expect((await stream()).length).toBe(before);
  });

  it('answers preflight for allowed origins', async () => {
    const res = await handler(
      apiEvent({ method: 'OPTIONS', path: '/v1/batch', headers: { origin: 'https://shop.example.com' } }),
      context,
    );
    expect(res.statusCode).toBe(204);
    expect(res.headers?.['access-control-allow-methods']).toContain('POST');
  });

  it('answers 400 naming the field, and stores nothing', async () => {
    const before = (await stream()).length;
    const res = await post('/v1/track', { anonymousId: 'x', properties: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, field: 'event' });
    expect((await stream()).length).toBe(before);
  });
});

describe('collect → identity links in local DynamoDB', () => {
  it('links the anonymous visitor to the email on identify, synchronously and idempotently', async () => {
    const identifyMsg = { anonymousId: 'form-visitor', messageId: 'identify-1', traits: { email: 'Kim@Example.com', name: 'Kim' } };
    expect((await post('/v1/identify', identifyMsg)).status).toBe(200);

    const link = await aws.doc.send(new GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: 'id#email#kim@example.com', sk: 'link' } }));
    expect(link.Item?.profileId).toBe(anonymousProfileId('form-visitor'));

    const linksBefore = (await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Items;
    // The same call delivered twice more (client retry): same links, and the stream events carry one profile.
    await post('/v1/identify', identifyMsg);
    await post('/v1/identify', identifyMsg);
    const linksAfter = (await aws.doc.send(new ScanCommand({ TableName: aws.env.TABLE_NAME }))).Items;
    expect(linksAfter?.map((i) => [i.pk, i.profileId, i.knownAs])).toEqual(linksBefore?.map((i) => [i.pk, i.profileId, i.knownAs]));
    const identifies = (await stream()).filter((r) => r.data.messageId === 'identify-1');
    expect(new Set(identifies.map((r) => (r.data.nurture as { profileId: string }).profileId))).toEqual(
      new Set([anonymousProfileId('form-visitor')]),
    );
  });

  it('resolves a second device to the same profile and asks for its anonymous profile to merge', async () => {
    await post('/v1/identify', { anonymousId: 'laptop-9', userId: 'user-9' });
    await post('/v1/identify', { anonymousId: 'phone-9', userId: 'user-9', messageId: 'phone-identify' });
    const phone = (await stream()).find((r) => r.data.messageId === 'phone-identify');
    expect(phone?.data.nurture).toMatchObject({
      profileId: anonymousProfileId('laptop-9'),
      mergeFrom: [anonymousProfileId('phone-9')],
    });
  });
});

describe('pixel', () => {
  const pixel = (query: Record<string, string>) => handler(apiEvent({ method: 'GET', path: '/v1/pixel.gif', query, headers: { 'user-agent': browserUserAgent } }), context);

  it('stores a valid pixel event and answers a GIF', async () => {
    const data = Buffer.from(
      JSON.stringify({ type: 'track', event: 'Email Opened', userId: 'user-9', messageId: 'open-1', writeKey }),
    ).toString('base64url');
    const res = await pixel({ data });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('image/gif');
    expect(Buffer.from(res.body!, 'base64').subarray(0, 6).toString()).toBe('GIF89a');
    expect((await stream()).some((r) => r.data.messageId === 'open-1')).toBe(true);
  });

  it('still answers a GIF for bad data, and stores nothing', async () => {
    const before = (await stream()).length;
    for (const data of ['%%%', Buffer.from('{"event":"x"}').toString('base64url'), '']) {
      const res = await pixel({ data });
      expect(res.headers?.['content-type']).toBe('image/gif');
    }
    expect((await stream()).length).toBe(before);
  });
});

describe('hostile and compressed bodies', () => {
  /** The event API Gateway's HTTP API hands the function for a body with a Content-Encoding: base64. */
  const encoded = (path: string, bytes: Buffer, coding: string) => ({
    ...apiEvent({ path, headers: { ...basicAuth(writeKey), 'content-encoding': coding } }),
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  });
  const answer = async (event: APIGatewayProxyEventV2) => {
    const res = await handler(event, context);
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') as Record<string, unknown> };
  };

  it('stores a gzip batch handed over base64-encoded, as RudderStack\'s SDK sends it', async () => {
    const batch = [{ type: 'track', event: 'Zipped', anonymousId: 'gz-visitor', messageId: 'gzip-1' }];
    const res = await answer(encoded('/v1/batch', gzipSync(JSON.stringify({ batch })), 'gzip'));
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect((await stream()).find((r) => r.data.messageId === 'gzip-1')?.data).toMatchObject({ event: 'Zipped', anonymousId: 'gz-visitor' });
  });

  it('answers 415 for a coding it cannot undo and 413 with limitBytes for a gzip bomb, storing nothing', async () => {
    const before = (await stream()).length;
    expect(await answer(encoded('/v1/batch', Buffer.from('x'), 'br'))).toMatchObject({ status: 415, body: { field: 'content-encoding' } });
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(await answer(encoded('/v1/batch', bomb, 'gzip'))).toMatchObject({ status: 413, body: { success: false, limitBytes: 500 * 1024 } });
    expect((await stream()).length).toBe(before);
  });

  it('answers 400 naming the field for properties 4,000 levels deep, and keeps the rest of a batch', async () => {
    const deep = `${'{"a":'.repeat(4000)}1${'}'.repeat(4000)}`;
    const single = await post('/v1/track', `{"anonymousId":"deep-1","event":"Deep","properties":${deep}}`);
    expect(single.status).toBe(400);
    expect(single.body).toMatchObject({ success: false, field: `properties${'.a'.repeat(32)}` });

    const batch = `{"batch":[{"type":"track","anonymousId":"deep-2","event":"Deep","properties":${deep}},{"type":"track","anonymousId":"deep-2","event":"Shallow","messageId":"shallow-1"}]}`;
    const mixed = await post('/v1/batch', batch);
    expect(mixed).toMatchObject({ status: 200, body: { rejected: [{ index: 0, field: `batch[0].properties${'.a'.repeat(32)}` }] } });
    expect((await stream()).some((r) => r.data.messageId === 'shallow-1')).toBe(true);

    const arrays = await post('/v1/batch', `{"batch":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`);
    expect(arrays).toMatchObject({ status: 400, body: { success: false, field: expect.stringMatching(/^batch\[0\](\[0\])+$/) } });
  });
});
