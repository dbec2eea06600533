import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoRegistryStore, registryKey } from '../../../functions/channels/adapters/registry-store.js';
import type { RegistryDoc } from '../../../functions/channels/domain/registry.js';
import { type RegistryRoutePorts, registryRoutes } from '../../../functions/channels/registry-routes.js';
import { httpFunction } from '../../../functions/shared/http-function.js';
import { apiEvent } from '../../helpers/api-event.js';

const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** An in-memory store with the DynamoDB store's version semantics. */
function memoryStore() {
  let item: { doc: RegistryDoc; version: number; updatedAt?: string } = { doc: { media: [] }, version: 0 };
  return {
    async stored() {
      return structuredClone(item);
    },
    async registry() {
      return item.version === 0 ? undefined : structuredClone(item.doc);
    },
    async putRegistry(doc: RegistryDoc, expected: number, now = new Date()) {
      if (item.version !== expected) return false;
      item = { doc: structuredClone(doc), version: expected + 1, updatedAt: now.toISOString() };
      return true;
    },
  };
}

function api(ports: RegistryRoutePorts) {
  const handler = httpFunction('channelsAdmin', registryRoutes, ports);
  return async (method: 'GET' | 'PUT', path: string, opts: { body?: unknown; query?: Record<string, string> } = {}) => {
    const res = await handler(apiEvent({ method, path, ...opts }), ctx);
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
  };
}

const acme = { id: 'acme-partners', name: 'Acme partner sites', group: 'affiliate', match: [{ source: ['acme', 'acme-*'] }] };
const now = () => new Date('2026-03-01T09:00:00Z');

describe('PUT /v1/admin/channels', () => {
  it('stores the own media at the next version, and GET answers them with the defaults', async () => {
    const call = api({ registry: memoryStore(), now });
    const put = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [acme] } });
    expect(put).toMatchObject({ status: 200, body: { version: 1, updatedAt: '2026-03-01T09:00:00.000Z', media: [acme] } });
    const got = await call('GET', '/v1/admin/channels');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ version: 1, media: [acme], groups: expect.arrayContaining(['paid_search', 'offline']), clickIds: expect.arrayContaining(['gclid', 'yclid']) });
    expect((got.body.defaults as { id: string }[]).map((m) => m.id)).toContain('google-ads');
  });

  it('answers 400 naming the field at fault, down to the pattern', async () => {
    const call = api({ registry: memoryStore(), now });
    const bad = { ...acme, match: [{ source: ['acme', 'bad;pattern'] }] };
    const res = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [acme, acme, bad] } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('media[2].match[0].source[1]');
    const fields = (res.body.problems as { field: string }[]).map((p) => p.field);
    expect(fields).toContain('media');
  });

  it('names a misspelt key with the one meant, an unknown group and click id, and a missing version', async () => {
    const call = api({ registry: memoryStore(), now });
    const typo = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [{ ...acme, match: [{ sorce: ['acme'] }] }] } });
    expect(typo).toMatchObject({ status: 400, body: { field: 'media[0].match[0].sorce' } });
    expect(JSON.stringify(typo.body.problems)).toContain('"suggestion":"source"');
    expect(await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [{ ...acme, group: 'tv' }] } })).toMatchObject({ status: 400, body: { field: 'media[0].group' } });
    expect(await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [{ ...acme, match: [{ clickId: ['gclid', 'zclid'] }] }] } })).toMatchObject({
      status: 400,
      body: { field: 'media[0].match[0].clickId[1]' },
    });
    expect(await call('PUT', '/v1/admin/channels', { body: { media: [acme] } })).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await call('PUT', '/v1/admin/channels', { body: '{not json' })).toMatchObject({ status: 400, body: { field: 'body' } });
  });

  it('answers 409 for a stale version, and the replay of a stored PUT as the first answer', async () => {
    const call = api({ registry: memoryStore(), now });
    expect((await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [acme] } })).status).toBe(200);
    // The same request again (its answer was lost): stored already, same answer.
    expect(await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [acme] } })).toMatchObject({ status: 200, body: { version: 1 } });
    // Another editor's change read at version 0: refused.
    const other = await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [{ ...acme, name: 'Acme' }] } });
    expect(other).toMatchObject({ status: 409, body: { field: 'version', version: 1 } });
    expect((await call('GET', '/v1/admin/channels')).body.media).toEqual([acme]);
  });
});

describe('GET /v1/admin/channels/classify', () => {
  it('classifies under the registry in force: an own medium before the defaults', async () => {
    const store = memoryStore();
    const call = api({ registry: store, now });
    const q = { source: 'google', medium: 'cpc', campaign: 'spring' };
    expect((await call('GET', '/v1/admin/channels/classify', { query: q })).body).toMatchObject({ medium: 'google-ads', group: 'paid_search', registered: true });
    const own = { id: 'google-brand', name: 'Google Ads (brand)', group: 'paid_search', match: [{ source: ['google'], campaign: ['spring*'] }] };
    await call('PUT', '/v1/admin/channels', { body: { version: 0, media: [own] } });
    expect((await call('GET', '/v1/admin/channels/classify', { query: q })).body).toMatchObject({ medium: 'google-brand', mediumName: 'Google Ads (brand)', registered: true });
  });

  it('takes a referrer URL as its domain and a click id type, and refuses an unknown click id', async () => {
    const call = api({ registry: memoryStore(), now });
    expect((await call('GET', '/v1/admin/channels/classify', { query: { referrer: 'https://www.l.facebook.com/x?u=1' } })).body).toMatchObject({
      medium: 'facebook',
      touch: { referrerDomain: 'l.facebook.com' },
    });
    expect((await call('GET', '/v1/admin/channels/classify', { query: { clickId: 'yclid' } })).body).toMatchObject({ medium: 'yahoo-ads' });
    expect((await call('GET', '/v1/admin/channels/classify', { query: {} })).body).toMatchObject({ medium: 'direct', group: 'direct' });
    expect(await call('GET', '/v1/admin/channels/classify', { query: { clickId: 'zclid' } })).toMatchObject({ status: 400, body: { field: 'clickId' } });
  });
});

describe('DynamoRegistryStore', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());
  const store = () => new DynamoRegistryStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 't');

  it('writes version+1 on the condition that the stored version is the expected one, and reports a lost race as false', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store().putRegistry({ media: [] }, 3)).toBe(true);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({ Item: { ...registryKey, v: 4 }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 3 } });
    expect(await store().putRegistry({ media: [] }, 3)).toBe(false);
  });

  it('rethrows other failures, and refuses a hand-edited item that is no registry', async () => {
    ddb.on(PutCommand).rejects(new Error('throttled'));
    await expect(store().putRegistry({ media: [] }, 0)).rejects.toThrow('throttled');
    ddb.on(GetCommand).resolves({ Item: { ...registryKey, v: 2, doc: JSON.stringify({ media: [{ id: 'X', name: '', group: 'tv', match: [] }] }) } });
    await expect(store().stored()).rejects.toThrow();
  });
});
