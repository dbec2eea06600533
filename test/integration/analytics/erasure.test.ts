import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoErasureStore } from '../../../functions/analytics/adapters/erasure-store.js';
import { newErasureRequest } from '../../../functions/analytics/domain/erase-job.js';
import { sqlString, sqlTypes } from '../../../functions/analytics/domain/erasure.js';
import { type EventRow, type IdentityRow, type LakeTable, lakeTables } from '../../../functions/analytics/domain/lake.js';
import { apiEvent } from '../../helpers/api-event.js';
import { asFunction, startTestAws, type TestAws } from '../../helpers/local-aws.js';

type Row = Record<string, string | number | null>;
type HttpHandler = (e: APIGatewayProxyEventV2, c: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
let aws: TestAws;
let lakeDir: string;
// The instance is kept: a connection alone does not keep it from being garbage-collected.
let instance: DuckDBInstance;
let duck: DuckDBConnection;
let requests: HttpHandler;
let job: (event: unknown, c: Context) => Promise<{ done: number; pending: number }>;

/** One events row; `seconds`, `revenue` and the nullable strings vary so types and nulls are exercised. */
function event(profileId: string, n: number, dt: string, extra: Partial<EventRow> = {}): Row {
  const ts = Date.parse(`${dt}T10:00:00Z`) + n * 1000;
  return {
    message_id: `${profileId}-${dt}-${n}`, profile_id: profileId, anonymous_id: `anon-${profileId}`, user_id: null,
    type: n % 2 ? 'track' : 'page', event: n % 2 ? 'Page Ping' : null, name: null, path: `/p/${n}`,
    referrer_domain: n === 0 ? 'news.example' : null, utm_source: null, utm_medium: null, utm_campaign: null,
    utm_term: null, utm_content: null, click_id_type: null, click_id: null, seconds: n % 2 ? 15.5 : null, revenue: n === 2 ? 1234.5 : null,
    properties: n % 2 ? '{"seconds":15.5}' : null, device: 'desktop', ts, received: ts + 120, ...extra,
  } as Row;
}

const merge = (from: string, to: string, dt: string): Row =>
  ({ kind: 'merge', from_id: from, to_id: to, message_id: `m-${from}`, ts: Date.parse(`${dt}T11:00:00Z`) }) satisfies Omit<IdentityRow, 'dt'>;

/** Writes `rows` as one Parquet file of `table` in the lake layout, in lake.ts's column types. */
async function writeFile(table: LakeTable, dt: string, name: string, rows: Row[]) {
  const columns = lakeTables[table].columns;
  const dir = join(lakeDir, table, `dt=${dt}`);
  mkdirSync(dir, { recursive: true });
  const literal = (v: Row[string]) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v));
  const values = rows.map((r) => `(${columns.map((c) => literal(r[c.name] ?? null)).join(', ')})`).join(', ');
  const select = columns.map((c) => `CAST(${c.name} AS ${sqlTypes[c.type]}) AS ${c.name}`).join(', ');
  await duck.run(`COPY (SELECT ${select} FROM (VALUES ${values}) v(${columns.map((c) => c.name).join(', ')})) TO ${sqlString(join(dir, name))} (FORMAT parquet)`);
}

/** Every row of a table, with the file it is in, ordered. */
async function rowsOf(table: LakeTable): Promise<Record<string, unknown>[]> {
  const files = join(lakeDir, table, '*', '*.parquet');
  if (readdirSync(join(lakeDir, table)).every((dt) => readdirSync(join(lakeDir, table, dt)).length === 0)) return [];
  const reader = await duck.runAndReadAll(`SELECT * EXCLUDE (filename), replace(filename, ${sqlString(lakeDir)}, '') AS file FROM read_parquet(${sqlString(files)}, filename = true, hive_partitioning = false) ORDER BY ALL`);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Column name → type of every file of a table. */
async function typesOf(table: LakeTable): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const dt of readdirSync(join(lakeDir, table))) {
    for (const f of readdirSync(join(lakeDir, table, dt))) {
      const reader = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(join(lakeDir, table, dt, f))}, hive_partitioning = false)`);
      out.push(Object.fromEntries(reader.getRowObjectsJson().map((c) => [String(c.column_name), String(c.column_type)])));
    }
  }
  return out;
}

const lakeTypes = (table: LakeTable) => Object.fromEntries(lakeTables[table].columns.map((c) => [c.name, sqlTypes[c.type]]));
const mine = (ids: string[]) => (r: Record<string, unknown>) => ids.some((id) => [r.profile_id, r.from_id, r.to_id].includes(id));

async function call(method: 'GET' | 'POST', path: string, opts: { body?: unknown; routeKey?: string; params?: Record<string, string> } = {}) {
  const event = { ...apiEvent({ method, path, ...(opts.body !== undefined ? { body: opts.body } : {}) }), routeKey: opts.routeKey ?? `${method} ${path}`, ...(opts.params ? { pathParameters: opts.params } : {}) };
  const res = await asFunction('analyticsAdmin', requests)(event, ctx);
  return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}
const erase = (profileId: unknown) => call('POST', '/v1/admin/analytics/erasures', { body: { profileId } });
const status = (id: string) => call('GET', `/v1/admin/analytics/erasures/${id}`, { routeKey: 'GET /v1/admin/analytics/erasures/{id}', params: { id } });

// Mia browsed anonymously (p_anon), which had itself absorbed an older anonymous profile (p_old), then
// identified (p_anon merged into p_mia). Bob and Ann are other people whose rows must stay as they are.
const person = ['p_mia', 'p_anon', 'p_old'];

beforeAll(async () => {
  lakeDir = mkdtempSync(join(tmpdir(), 'nurture-lake-'));
  aws = await startTestAws({ LAKE_DIR: lakeDir });
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await writeFile('events', '2026-01-05', 'a.parquet', [event('p_old', 0, '2026-01-05'), event('p_anon', 1, '2026-01-05'), event('p_bob', 2, '2026-01-05'), event('p_ann', 3, '2026-01-05')]);
  await writeFile('events', '2026-01-05', 'b.parquet', [event('p_anon', 4, '2026-01-05'), event('p_anon', 5, '2026-01-05')]);
  await writeFile('events', '2026-01-06', 'c.parquet', [event('p_mia', 0, '2026-01-06'), event('p_mia', 1, '2026-01-06', { user_id: 'u-9', revenue: 99.5 }), event('p_bob', 2, '2026-01-06')]);
  await writeFile('events', '2026-01-07', 'd.parquet', [event('p_bob', 3, '2026-01-07'), event('p_ann', 4, '2026-01-07')]);
  await writeFile('identity', '2026-01-05', 'i.parquet', [merge('p_old', 'p_anon', '2026-01-05'), merge('p_bobanon', 'p_bob', '2026-01-05')]);
  await writeFile('identity', '2026-01-06', 'j.parquet', [merge('p_anon', 'p_mia', '2026-01-06')]);
  ({ handler: requests } = (await import('../../../functions/analytics/admin.js')) as unknown as { handler: HttpHandler });
  ({ handler: job } = (await import('../../../functions/analytics/erase.js')) as unknown as { handler: typeof job });
}, 180_000);

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await aws?.stop();
  rmSync(lakeDir, { recursive: true, force: true });
});

describe('lake erasure', () => {
  it("removes the person's rows and their merged profiles' rows from events and identity, keeping everyone else's as they were", async () => {
    const before = { events: await rowsOf('events'), identity: await rowsOf('identity') };
    expect(before.events.filter(mine(person))).toHaveLength(6);

    const { status: code, body, headers } = await erase('p_mia');

    expect(code).toBe(202);
    expect(body).toMatchObject({ profileId: 'p_mia', status: 'done', ids: [...person].sort(), rows: 8 });
    expect(headers.location).toBe(`/v1/admin/analytics/erasures/${String(body.requestId)}`);
    for (const table of ['events', 'identity'] as const) {
      const after = await rowsOf(table);
      expect(after.filter(mine(person))).toEqual([]);
      expect(after).toEqual(before[table].filter((r) => !mine(person)(r)));
      for (const types of await typesOf(table)) expect(types).toEqual(lakeTypes(table));
    }
    // b.parquet held only the person's rows: it is gone rather than left empty.
    expect(readdirSync(join(lakeDir, 'events', 'dt=2026-01-05')).sort()).toEqual(['a.parquet']);
    expect((await status(String(body.requestId))).body).toEqual(body);
  }, 60_000);

  it('erasing the same person again changes nothing and reports no rows removed', async () => {
    const before = { events: await rowsOf('events'), identity: await rowsOf('identity') };

    const { status: code, body } = await erase('p_mia');

    expect(code).toBe(202);
    expect(body).toMatchObject({ status: 'done', rows: 0, files: 0 });
    expect(await rowsOf('events')).toEqual(before.events);
    expect(await rowsOf('identity')).toEqual(before.identity);
  }, 60_000);

  it('a request named by a merged profile erases the whole person, through the daily job as well', async () => {
    const store = new DynamoErasureStore(aws.doc, aws.env.TABLE_NAME!);
    await store.create(newErasureRequest('job-bob', 'p_bobanon', new Date()));

    const summary = await asFunction('lakeErase', job)({}, ctx);

    expect(summary).toEqual({ done: 1, pending: 0 });
    expect((await status('job-bob')).body).toMatchObject({ status: 'done', ids: ['p_bob', 'p_bobanon'], rows: 4 });
    expect((await rowsOf('events')).map((r) => r.profile_id)).toEqual(['p_ann', 'p_ann']);
    expect(await rowsOf('identity')).toEqual([]);
  }, 60_000);
});

describe('erasure requests', () => {
  it('refuses a body without a valid profile id, naming the field', async () => {
    for (const bad of [undefined, '', "p'; DROP", 'x'.repeat(129)]) {
      const { status: code, body } = await erase(bad);
      expect(code).toBe(400);
      expect(body.field).toBe('profileId');
    }
  });

  it('answers 404 for an unknown request and 400 for a malformed id', async () => {
    expect((await status('no-such-request')).status).toBe(404);
    const malformed = await status('a/b');
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('id');
  });
});
