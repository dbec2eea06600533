import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AthenaEngine, athenaQueryDeadlineMs } from '../../../functions/analytics/adapters/athena-engine.js';
import { QueryTimeoutError } from '../../../functions/analytics/errors.js';
import { apiEvent } from '../../helpers/api-event.js';

const athena = mockClient(AthenaClient);
// The media registry (main table): none stored, so reports classify by the default media.
const dynamo = mockClient(DynamoDBDocumentClient);
const context = { functionName: 'analyticsAdmin', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number; body: string }>;
let handler: Handler;

beforeAll(async () => {
  dynamo.on(GetCommand).resolves({});
  vi.stubEnv('LAKE_DIR', undefined);
  vi.stubEnv('ATHENA_WORKGROUP', 'nurture-reports');
  vi.stubEnv('LAKE_DATABASE', 'nurture_lake');
  vi.stubEnv('TABLE_NAME', 'nurture-main');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  ({ handler } = (await import('../../../functions/analytics/admin.js')) as unknown as { handler: Handler });
});

afterEach(() => {
  athena.reset();
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
});

const get = (report: string, query: Record<string, string> = { from: '2024-03-01', to: '2024-03-02' }) =>
  handler(apiEvent({ method: 'GET', path: `/v1/admin/analytics/${report}`, query }), context).then((r) => ({ status: r.statusCode, body: JSON.parse(r.body) }));

const page = (rows: string[][], next?: string, header?: string[]): GetQueryResultsCommandOutput => ({
  $metadata: {},
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: [{ Name: 'day', Type: 'varchar' }, { Name: 'visits', Type: 'bigint' }, { Name: 'rate', Type: 'double' }].map((c) => ({ ...c, Label: c.Name })) },
    Rows: [...(header ? [header] : []), ...rows].map((r) => ({ Data: r.map((v) => (v === '' ? {} : { VarCharValue: v })) })),
  },
  ...(next ? { NextToken: next } : {}),
});

describe('analytics admin on Athena', () => {
  it('runs the report in the workgroup and database, reads every result page and types the values', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 12345 } } });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page([['2024-03-01', '4', '0.5']], 'page-2', ['day', 'visits', 'rate']))
      .resolvesOnce(page([['2024-03-02', '2', '']]));

    const { status, body } = await get('traffic');

    expect(status).toBe(200);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ TableName: 'nurture-main', Key: { pk: 'cfg#channels', sk: 'registry' } });
    expect(body).toMatchObject({
      report: 'traffic',
      engine: 'athena',
      bytesScanned: 12345,
      rows: [
        { day: '2024-03-01', visits: 4, rate: 0.5 },
        { day: '2024-03-02', visits: 2, rate: null },
      ],
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ WorkGroup: 'nurture-reports', QueryExecutionContext: { Database: 'nurture_lake' } });
    expect(start.QueryString).toContain("dt BETWEEN '2024-01-31' AND '2024-03-02'");
    expect(athena.commandCalls(GetQueryResultsCommand)[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('answers 413 naming the scan limit when the workgroup cancels the query for it', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled! : Bytes scanned limit was exceeded' }, Statistics: { DataScannedInBytes: 10_485_760 } },
    });

    const { status, body } = await get('pages');

    expect(status).toBe(413);
    expect(body.error).toMatch(/scan limit/);
  });

  it.each([
    ['FAILED', 'SYNTAX_ERROR: line 1:8: Column x cannot be resolved'],
    ['CANCELLED', 'Query cancelled by user'],
  ] as const)('answers a generic 500 when the query is %s, without the engine message', async (State, StateChangeReason) => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State, StateChangeReason } } });

    const { status, body } = await get('funnel', { steps: '/a,/b' });

    expect(status).toBe(500);
    expect(body).toEqual({ success: false, error: 'internal error' });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('answers 400 naming the field before any query starts', async () => {
    const { status, body } = await get('traffic', { from: '2024-02-30' });

    expect(status).toBe(400);
    expect(body.field).toBe('from');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('Athena engine deadline', () => {
  it('stops a query still running at the deadline and says so', async () => {
    let clock = 0;
    const engine = new AthenaEngine(new AthenaClient({}), {
      workgroup: 'w',
      database: 'd',
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q4' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});

    await expect(engine.query('SELECT 1')).rejects.toBeInstanceOf(QueryTimeoutError);

    expect(clock).toBeLessThanOrEqual(athenaQueryDeadlineMs);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: 'q4' });
    // Backoff: far fewer polls than one per 200 ms.
    expect(athena.commandCalls(GetQueryExecutionCommand).length).toBeLessThan(25);
  });
});
