/**
 * Members of a segment, the preview of a draft and the export, on DynamoDB through the segmentsAdmin role
 * (IAM-checked local mode): members and profiles are written as the stream processor writes them.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMembershipStore } from '../../../functions/segments/adapters/membership-store.js';
import { DynamoProfileBatch } from '../../../functions/segments/adapters/profile-batch.js';
import { memberShard } from '../../../functions/segments/domain/membership.js';
import { exportSegment } from '../../../functions/segments/domain/segment-export.js';
import { previewSegment } from '../../../functions/segments/domain/preview.js';
import { sha256Hex } from '../../../functions/segments/domain/audience-normalize.js';
import { emptyState, rankPartition } from '../../../functions/profiles/domain/profile.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

let aws: TestAws;
let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

async function call(method: 'GET' | 'POST', path: string, routeKey: string, opts: { body?: unknown; query?: Record<string, string>; id?: string } = {}) {
  const res = await handler({ ...apiEvent({ method, path, ...opts }), routeKey: `${method} ${routeKey}`, ...(opts.id ? { pathParameters: { id: opts.id } } : {}) }, ctx);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}
const members = (id: string, query: Record<string, string> = {}) => call('GET', `/v1/admin/segments/${id}/members`, '/v1/admin/segments/{id}/members', { id, query });

/** 40 people: p00..p39, score 5·i, every third unranked in the segment, every fourth consenting to ads. */
const people = Array.from({ length: 40 }, (_, i) => ({
  id: `p_${String(i).padStart(2, '0')}`,
  score: 5 * i,
  stage: i % 2 === 0 ? 'mql' : 'known',
  ranked: i % 3 !== 0,
  consents: i % 4 === 0,
  name: i === 9 ? 'Sato, "Ken"' : `Person ${i}`,
}));
const inWarm = people.filter((p) => p.score >= 40);

beforeAll(async () => {
  aws = await startTestAws();
  handler = asFunction('segmentsAdmin', ((await import('../../../functions/segments/admin.js')) as unknown as { handler: typeof handler }).handler);
  const store = new DynamoMembershipStore(aws.doc, aws.env.TABLE_NAME!);
  for (const p of people) {
    const state = emptyState(p.id);
    await aws.doc.send(
      new PutCommand({
        TableName: aws.env.TABLE_NAME!,
        Item: {
          pk: `p#${p.id}`,
          sk: 'profile',
          ...state,
          known: true,
          email: `${p.id}@example.jp`,
          stage: p.stage,
          traits: { name: p.name, company: 'ACME', plan: p.score >= 150 ? 'pro' : 'free', ...(p.consents ? { advertising_consent: true } : {}) },
          score: { ...state.score, value: p.score, asOf: '2026-03-01T00:00:00.000Z' },
          leadName: p.name,
          company: 'ACME',
          gsi1pk: rankPartition(p.stage, p.id),
          gsi1sk: p.score,
        },
      }),
    );
    // The stream processor's write of a member: the rank only while the person is ranked.
    if (p.score >= 40) await store.apply(p.id, { type: 'segment.entered', segmentId: 'warm', at: `2026-03-01T00:${String(p.score % 60).padStart(2, '0')}:00.000Z` }, p.ranked ? p.score : undefined);
  }
  expect((await call('POST', '/v1/admin/segments', '/v1/admin/segments', { body: { id: 'warm', name: 'Warm', conditions: [{ field: 'score', gte: 40 }] } })).status).toBe(201);
}, 120_000);
afterAll(async () => {
  await aws?.stop();
});

describe('segment members on DynamoDB (segmentsAdmin role)', () => {
  it('spreads the members over several shards and answers the O(1) count on GET', async () => {
    expect(new Set(inWarm.map((p) => memberShard(p.id))).size).toBeGreaterThan(4);
    expect(await call('GET', '/v1/admin/segments/warm', '/v1/admin/segments/{id}', { id: 'warm' })).toMatchObject({ status: 200, body: { id: 'warm', members: inWarm.length } });
  });

  it('pages by score to the end: ranked members highest first, then unranked by id, each exactly once, with summaries', async () => {
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await members('warm', { limit: '7', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.count).toBe(inWarm.length);
      seen.push(...(page.body.members as Record<string, unknown>[]));
      cursor = page.body.cursor as string | undefined;
    } while (cursor);
    const ranked = inWarm.filter((p) => p.ranked).sort((a, b) => b.score - a.score);
    const unranked = inWarm.filter((p) => !p.ranked).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(seen.map((m) => m.profileId)).toEqual([...ranked, ...unranked].map((p) => p.id));
    expect(seen[0]).toEqual({ profileId: 'p_38', email: 'p_38@example.jp', name: 'Person 38', company: 'ACME', score: 190, scoreAsOf: '2026-03-01T00:00:00.000Z', stage: 'mql', lifecycle: 'prospect', enteredAt: '2026-03-01T00:10:00.000Z' });
  });

  it('pages by entry newest first, each member exactly once', async () => {
    const seen: { profileId: string; enteredAt: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await members('warm', { sort: 'entered', limit: '10', ...(cursor ? { cursor } : {}) });
      seen.push(...(page.body.members as { profileId: string; enteredAt: string }[]));
      cursor = page.body.cursor as string | undefined;
    } while (cursor);
    expect(seen.map((m) => m.profileId).sort()).toEqual(inWarm.map((p) => p.id).sort());
    expect(seen.map((m) => m.enteredAt)).toEqual([...seen.map((m) => m.enteredAt)].sort().reverse());
  });

  it('answers 400 naming a bad cursor or limit, and 404 for an unknown segment', async () => {
    expect(await members('warm', { cursor: 'bogus' })).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect(await members('warm', { limit: '201' })).toMatchObject({ status: 400, body: { field: 'limit' } });
    const score = (await members('warm', { limit: '2' })).body.cursor as string;
    expect(await members('warm', { sort: 'entered', cursor: score })).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect(await members('nobody')).toMatchObject({ status: 404 });
  });

  it('previews a draft that references a stored segment: the exact count and matching profiles only', async () => {
    const draft = { id: 'warm-pro', name: 'Warm on the pro plan', conditions: [{ segment: 'warm' }, { field: 'traits.plan', equals: 'pro' }] };
    const res = await call('POST', '/v1/admin/segments/preview', '/v1/admin/segments/preview', { body: draft });
    const pro = people.filter((p) => p.score >= 150);
    expect(res).toMatchObject({ status: 200, body: { segmentId: 'warm-pro', count: pro.length, exact: true, evaluated: people.length } });
    const sample = res.body.sample as { profileId: string }[];
    expect(sample.map((s) => s.profileId).sort()).toEqual(pro.map((p) => p.id).sort());
    // Nothing stored.
    expect(await call('GET', '/v1/admin/segments/warm-pro', '/v1/admin/segments/{id}', { id: 'warm-pro' })).toMatchObject({ status: 404 });
    const bad = await call('POST', '/v1/admin/segments/preview', '/v1/admin/segments/preview', { body: { id: 'x', name: 'X', conditions: [{ segment: 'wram' }, { field: 'score', gte: 'high' }] } });
    expect(bad.status).toBe(400);
    expect((bad.body.problems as { field: string }[]).map((p) => p.field)).toEqual(expect.arrayContaining(['conditions[1].gte']));
    expect(aws.iam.denials).toEqual([]);
    expect([...aws.iam.checked.keys()]).toEqual(expect.arrayContaining(['segmentsAdmin dynamodb:BatchGetItem', 'segmentsAdmin dynamodb:Query']));
  });

  it('stops a preview at its profile budget and says the count is not exact', async () => {
    const draft = { id: 'warm', name: 'Warm', conditions: [{ field: 'score', gte: 40 }] };
    const result = await previewSegment(draft, [], new DynamoProfileBatch(aws.doc, aws.env.TABLE_NAME!), new Date(), { maxProfiles: 25, sample: 20 });
    expect(result).toMatchObject({ exact: false, evaluated: 25 });
    expect(result.count).toBeLessThanOrEqual(25);
    expect(result.sample.every((s) => (s.score ?? 0) >= 40)).toBe(true);
    // Out of time before the first page: nothing evaluated, and the answer says so.
    const late = await previewSegment(draft, [], new DynamoProfileBatch(aws.doc, aws.env.TABLE_NAME!), new Date(), { maxProfiles: 20_000, sample: 20, maxMillis: -1 });
    expect(late).toMatchObject({ count: 0, exact: false, evaluated: 0 });
  });

  it('exports every member as CSV, and only consenting members as hashed CSV', async () => {
    const ports = { membership: new DynamoMembershipStore(aws.doc, aws.env.TABLE_NAME!), profiles: new DynamoProfileBatch(aws.doc, aws.env.TABLE_NAME!) };
    let csv = '';
    const done: number[] = [];
    const all = await exportSegment('warm', 'csv', { defaultCountry: 'JP' }, { ...ports, write: (t) => void (csv += t), progress: (n) => done.push(n) });
    expect(all).toMatchObject({ members: inWarm.length, tally: { written: inWarm.length } });
    expect(done.at(-1)).toBe(inWarm.length);
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('\ufeffprofileId,email,name,company,score,stage,lifecycle,enteredAt');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual(inWarm.map((p) => p.id).sort());
    expect(lines).toContain('p_09,p_09@example.jp,"Sato, ""Ken""",ACME,45,known,prospect,2026-03-01T00:45:00.000Z');
    expect(lines.find((l) => l.startsWith('p_08,'))).toBe('p_08,p_08@example.jp,Person 8,ACME,40,mql,prospect,2026-03-01T00:40:00.000Z');

    let hashed = '';
    const ads = await exportSegment('warm', 'hashed-csv', { defaultCountry: 'JP' }, { ...ports, write: (t) => void (hashed += t) });
    const consenting = inWarm.filter((p) => p.consents);
    expect(ads.tally).toEqual({ written: consenting.length, noConsent: inWarm.length - consenting.length, noIdentifier: 0, duplicate: 0 });
    const rows = hashed.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe('email_sha256,phone_sha256');
    expect(rows.slice(1).sort()).toEqual(consenting.map((p) => `${sha256Hex(`${p.id}@example.jp`)},`).sort());
  });
});
