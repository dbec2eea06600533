import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoSegmentStore, type SegmentStore, segmentPartition } from '../../../functions/segments/adapters/definition-store.js';
import type { Segment } from '../../../functions/segments/domain/definition.js';
import { segmentRoutes } from '../../../functions/segments/routes.js';
import { httpFunction } from '../../../functions/shared/http-function.js';
import { apiEvent } from '../../helpers/api-event.js';
import { memorySegmentStore } from './memory-store.js';

const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
function api(store: SegmentStore) {
  const handler = httpFunction('segmentsAdmin', segmentRoutes, { segments: store, membership: { count: async (id: string) => (id === 'warm-mailable' ? 3 : 0) }, now: () => new Date('2026-03-01T09:00:00Z') });
  return async (method: Method, id: string | undefined, opts: { body?: unknown; query?: Record<string, string> } = {}) => {
    const path = id === undefined ? '/v1/admin/segments' : `/v1/admin/segments/${id}`;
    const template = id === undefined ? path : '/v1/admin/segments/{id}';
    const event = { ...apiEvent({ method, path, ...opts }), routeKey: `${method} ${template}`, ...(id === undefined ? {} : { pathParameters: { id } }) };
    const res = await handler(event, ctx);
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
  };
}

const warm = { id: 'warm-leads', name: 'Warm leads', conditions: [{ field: 'score', gte: 40 }] };
const mailable = { id: 'warm-mailable', name: 'Warm and mailable', conditions: [{ segment: 'warm-leads' }, { field: 'consent', equals: 'granted' }] };
const fields = (body: Record<string, unknown>) => (body.problems as { field: string }[]).map((p) => p.field);

describe('POST /v1/admin/segments', () => {
  it('creates at version 1, lists and gets with the version, and answers a replay as the first time', async () => {
    const call = api(memorySegmentStore());
    expect(await call('POST', undefined, { body: warm })).toMatchObject({ status: 201, body: { ...warm, version: 1, updatedAt: '2026-03-01T09:00:00.000Z' } });
    expect(await call('POST', undefined, { body: warm })).toMatchObject({ status: 201, body: { version: 1 } });
    expect(await call('POST', undefined, { body: mailable })).toMatchObject({ status: 201 });
    const list = await call('GET', undefined);
    expect((list.body.segments as { id: string; version: number }[]).map((s) => [s.id, s.version])).toEqual([['warm-leads', 1], ['warm-mailable', 1]]);
    expect(list.body.limits).toMatchObject({ maxSegments: 100 });
    expect(await call('GET', 'warm-mailable')).toMatchObject({ status: 200, body: { ...mailable, version: 1, members: 3 } });
    expect(await call('GET', 'nobody')).toMatchObject({ status: 404, body: { field: 'id' } });
    expect(await call('GET', 'Bad_Id')).toMatchObject({ status: 400, body: { field: 'id' } });
  });

  it('answers 400 naming every bad field, with the key meant for a misspelt one', async () => {
    const call = api(memorySegmentStore());
    const res = await call('POST', undefined, { body: { id: 'x', name: 'X', conditions: [{ any: [{ field: 'score', gte: 'high' }, { field: 'lifecycle', equals: 'at-risk' }] }, { feild: 'stage', equals: 'mql' }] } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('conditions[0].any[0].gte');
    expect(fields(res.body)).toEqual(expect.arrayContaining(['conditions[0].any[0].gte', 'conditions[0].any[1].equals']));
    expect(JSON.stringify(res.body.problems)).toContain('"suggestion":"at_risk"');
    expect(await call('POST', undefined, { body: { name: 'no id', conditions: [{ field: 'score', gte: 1 }] } })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await call('POST', undefined, { body: { ...warm, conditions: [] } })).toMatchObject({ status: 400, body: { field: 'conditions' } });
    expect(await call('POST', undefined, { body: '{nope' })).toMatchObject({ status: 400, body: { field: 'body' } });
    expect(await call('POST', undefined, { body: [warm] })).toMatchObject({ status: 400, body: { field: 'body' } });
  });

  it('refuses an existing id with another document (409), an unknown reference and a self reference (400)', async () => {
    const call = api(memorySegmentStore());
    await call('POST', undefined, { body: warm });
    expect(await call('POST', undefined, { body: { ...warm, name: 'Other' } })).toMatchObject({ status: 409, body: { field: 'id', version: 1 } });
    const unknown = await call('POST', undefined, { body: { ...mailable, conditions: [{ segment: 'warm-lead' }] } });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'conditions[0].segment' } });
    expect(JSON.stringify(unknown.body.problems)).toContain('"suggestion":"warm-leads"');
    expect(await call('POST', undefined, { body: { ...mailable, conditions: [{ segment: 'warm-mailable' }] } })).toMatchObject({ status: 400, body: { field: 'conditions[0].segment' } });
    expect((await call('GET', undefined)).body.segments).toHaveLength(1);
  });

  it('refuses the segment past the limit of 100', async () => {
    const store = memorySegmentStore();
    for (let i = 0; i < 100; i++) await store.create({ id: `s-${i}`, name: 'S', conditions: [{ field: 'score', gte: i }] });
    const res = await api(store)('POST', undefined, { body: warm });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('at most 100 segments');
  });
});

describe('PUT /v1/admin/segments/{id}', () => {
  it('replaces at the version read, answers a replay as the first time and a stale version with 409', async () => {
    const call = api(memorySegmentStore());
    await call('POST', undefined, { body: warm });
    const hotter = { name: 'Warmer leads', conditions: [{ field: 'score', gte: 60 }] };
    expect(await call('PUT', 'warm-leads', { body: { version: 1, ...hotter } })).toMatchObject({ status: 200, body: { id: 'warm-leads', ...hotter, version: 2 } });
    expect(await call('PUT', 'warm-leads', { body: { version: 1, ...hotter } })).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await call('PUT', 'warm-leads', { body: { version: 1, ...warm } })).toMatchObject({ status: 409, body: { field: 'version', version: 2 } });
    expect((await call('GET', 'warm-leads')).body).toMatchObject({ ...hotter, version: 2 });
  });

  it('names the version, a changed id and a bad field; answers 404 for an absent segment', async () => {
    const call = api(memorySegmentStore());
    await call('POST', undefined, { body: warm });
    expect(await call('PUT', 'warm-leads', { body: warm })).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await call('PUT', 'warm-leads', { body: { ...warm, version: 0 } })).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await call('PUT', 'warm-leads', { body: { ...warm, id: 'renamed', version: 1 } })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await call('PUT', 'warm-leads', { body: { ...warm, version: 1, conditions: [{ did: 'Order Completed', within: 'a week' }] } })).toMatchObject({
      status: 400,
      body: { field: 'conditions[0].within' },
    });
    expect(await call('PUT', 'cold-leads', { body: { ...warm, id: 'cold-leads', version: 1 } })).toMatchObject({ status: 404 });
  });

  it('refuses a change that closes a reference cycle, naming the reference in the changed segment', async () => {
    const call = api(memorySegmentStore());
    await call('POST', undefined, { body: warm });
    await call('POST', undefined, { body: mailable });
    const third = { id: 'warm-vip', name: 'VIP', conditions: [{ segment: 'warm-mailable' }] };
    await call('POST', undefined, { body: third });
    // warm-leads → warm-vip → warm-mailable → warm-leads
    const res = await call('PUT', 'warm-leads', { body: { version: 1, name: 'Warm', conditions: [{ field: 'score', gte: 40 }, { segment: 'warm-vip' }] } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('conditions[1].segment');
    expect(res.body.error).toContain('cycle');
    expect((await call('GET', 'warm-leads')).body).toMatchObject({ version: 1, conditions: warm.conditions });
  });
});

describe('DELETE /v1/admin/segments/{id}', () => {
  it('refuses a referenced segment with 409 naming who references it, then deletes once free; a replay answers deleted: false', async () => {
    const call = api(memorySegmentStore());
    await call('POST', undefined, { body: warm });
    await call('POST', undefined, { body: mailable });
    expect(await call('DELETE', 'warm-leads')).toMatchObject({ status: 409, body: { field: 'id', referencedBy: ['warm-mailable'] } });
    expect(await call('DELETE', 'warm-mailable', { query: { version: '2' } })).toMatchObject({ status: 409, body: { field: 'version', version: 1 } });
    expect(await call('DELETE', 'warm-mailable', { query: { version: 'x' } })).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await call('DELETE', 'warm-mailable', { query: { version: '1' } })).toMatchObject({ status: 200, body: { id: 'warm-mailable', deleted: true } });
    expect(await call('DELETE', 'warm-mailable')).toMatchObject({ status: 200, body: { deleted: false } });
    expect(await call('DELETE', 'warm-leads')).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await call('GET', undefined)).body.segments).toEqual([]);
  });
});

describe('DynamoSegmentStore', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());
  const store = () => new DynamoSegmentStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 't');

  const lost = () => new TransactionCanceledException({ message: 'no', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }] });
  const tx = (i: number) => ddb.commandCalls(TransactWriteCommand)[i]!.args[0].input.TransactItems!;

  it('creates only where nothing is, replaces and deletes on the version, opens a back-fill with each, and reports a lost race as false', async () => {
    ddb.on(TransactWriteCommand).resolvesOnce({}).rejectsOnce(lost()).resolvesOnce({});
    expect(await store().create(warm as Segment)).toBe(true);
    expect(tx(0)[0]!.Put).toMatchObject({ Item: { pk: segmentPartition, sk: 'warm-leads', v: 1 }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(tx(0)[1]!.Put).toMatchObject({ Item: { pk: 'segjobs', sk: 'warm-leads#v1#evaluate', kind: 'evaluate' } });
    expect(tx(0)[2]!.Put).toMatchObject({ Item: { pk: 'segbfl#warm-leads', sk: 'latest', version: 1 } });
    expect(await store().replace(warm as Segment, 3)).toBe(false);
    expect(await store().replace(warm as Segment, 3)).toBe(true);
    expect(tx(2)[0]!.Put).toMatchObject({ Item: { v: 4 }, ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 3 } });
    expect(tx(2)[1]!.Put).toMatchObject({ Item: { sk: 'warm-leads#v4#evaluate' } });
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().remove('warm-leads', 4)).toBe(true);
    expect(tx(3)[0]!.Delete).toMatchObject({ ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': 4 } });
    expect(tx(3)[1]!.Put).toMatchObject({ Item: { sk: 'warm-leads#v5#purge', kind: 'purge' } });
    ddb.on(TransactWriteCommand).rejects(lost());
    expect(await store().remove('warm-leads', 4)).toBe(false);
    // Without a version: the stored one is read first; nothing stored, nothing to delete.
    ddb.on(GetCommand).resolves({});
    expect(await store().remove('warm-leads')).toBe(false);
  });

  it('lists every page of the partition, and refuses a hand-edited item that is no segment', async () => {
    const item = (id: string) => ({ pk: segmentPartition, sk: id, v: 2, doc: JSON.stringify({ ...warm, id }) });
    ddb.on(QueryCommand).resolvesOnce({ Items: [item('a')], LastEvaluatedKey: { pk: segmentPartition, sk: 'a' } }).resolvesOnce({ Items: [item('b')] });
    expect((await store().list()).map((s) => [s.segment.id, s.version])).toEqual([['a', 2], ['b', 2]]);
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({ pk: segmentPartition, sk: 'a' });
    ddb.on(QueryCommand).resolves({ Items: [{ ...item('c'), doc: JSON.stringify({ id: 'c', conditions: 'x' }) }] });
    await expect(store().list()).rejects.toThrow();
    ddb.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(store().create(warm as Segment)).rejects.toThrow('throttled');
  });
});
