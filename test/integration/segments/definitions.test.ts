import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentPartition } from '../../../functions/segments/adapters/definition-store.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', id?: string, opts: { body?: unknown; query?: Record<string, string> } = {}) {
  const path = id === undefined ? '/v1/admin/segments' : `/v1/admin/segments/${id}`;
  const routeKey = `${method} ${id === undefined ? path : '/v1/admin/segments/{id}'}`;
  const res = await handler({ ...apiEvent({ method, path, ...opts }), routeKey, ...(id === undefined ? {} : { pathParameters: { id } }) }, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

beforeAll(async () => {
  aws = await startTestAws();
  handler = asFunction('segmentsAdmin', ((await import('../../../functions/segments/admin.js')) as unknown as { handler: typeof handler }).handler);
}, 120_000);
afterAll(async () => {
  await aws?.stop();
});

const loyal = { id: 'loyal', name: 'Loyal customers', conditions: [{ field: 'lifecycle', in: ['loyal', 'active'] }] };
const loyalMailable = { id: 'loyal-mailable', name: 'Loyal and mailable', description: 'For the spring campaign', conditions: [{ segment: 'loyal' }, { field: 'consent', equals: 'granted' }] };
const ids = async () => ((await call('GET')).body.segments as { id: string; version: number }[]).map((s) => [s.id, s.version]);

describe('segment definitions on DynamoDB (segmentsAdmin role)', () => {
  it('creates, lists and gets with versions; a replayed create answers as the first', async () => {
    expect(await call('GET')).toMatchObject({ status: 200, body: { segments: [] } });
    expect(await call('POST', undefined, { body: loyal })).toMatchObject({ status: 201, body: { ...loyal, version: 1 } });
    expect(await call('POST', undefined, { body: loyalMailable })).toMatchObject({ status: 201, body: { version: 1 } });
    expect(await call('POST', undefined, { body: loyalMailable })).toMatchObject({ status: 201, body: { version: 1 } });
    expect(await ids()).toEqual([['loyal', 1], ['loyal-mailable', 1]]);
    const got = await call('GET', 'loyal-mailable');
    expect(got).toMatchObject({ status: 200, body: { ...loyalMailable, version: 1 } });
    expect(typeof got.body.updatedAt).toBe('string');
    // The items are where resources.ts says: one partition, the id as sort key.
    const item = await aws.doc.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: aws.env.TABLE_NAME, Key: { pk: segmentPartition, sk: 'loyal' } }));
    expect(JSON.parse(String(item.Item?.doc))).toEqual(loyal);
  });

  it('updates at the version read, refuses a stale one with 409 and a cycle with 400, and keeps the stored document', async () => {
    const next = { version: 1, name: 'Loyal', conditions: [{ field: 'lifecycle', equals: 'loyal' }] };
    expect(await call('PUT', 'loyal', { body: next })).toMatchObject({ status: 200, body: { version: 2, name: 'Loyal' } });
    expect(await call('PUT', 'loyal', { body: next })).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await call('PUT', 'loyal', { body: { ...next, name: 'Other' } })).toMatchObject({ status: 409, body: { field: 'version', version: 2 } });
    const cycle = await call('PUT', 'loyal', { body: { version: 2, name: 'Loyal', conditions: [{ segment: 'loyal-mailable' }] } });
    expect(cycle).toMatchObject({ status: 400, body: { field: 'conditions[0].segment' } });
    expect(await call('GET', 'loyal')).toMatchObject({ body: { version: 2, conditions: next.conditions } });
  });

  it('refuses to delete a referenced segment, deletes in order, and answers a replayed delete with deleted: false', async () => {
    expect(await call('DELETE', 'loyal')).toMatchObject({ status: 409, body: { referencedBy: ['loyal-mailable'] } });
    expect(await call('DELETE', 'loyal-mailable', { query: { version: '1' } })).toMatchObject({ status: 200, body: { deleted: true } });
    expect(await call('DELETE', 'loyal-mailable')).toMatchObject({ status: 200, body: { deleted: false } });
    expect(await call('DELETE', 'loyal', { query: { version: '1' } })).toMatchObject({ status: 409, body: { field: 'version', version: 2 } });
    expect(await call('DELETE', 'loyal', { query: { version: '2' } })).toMatchObject({ status: 200, body: { deleted: true } });
    expect(await ids()).toEqual([]);
  });
});
