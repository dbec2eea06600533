import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaLakeFiles, AthenaQueryError } from '../../../functions/analytics/adapters/athena-lake-files.js';
import type { FileToRewrite } from '../../../functions/analytics/domain/erasure.js';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  athena.reset();
  s3.reset();
});

const config = { workgroup: 'nurture-lake', database: 'nurture_lake', bucket: 'lake-bucket', tmpPrefix: 'erasure-tmp/' };
const lake = () => new AthenaLakeFiles(new AthenaClient({}), new S3Client({}), config, async () => {});
const file: FileToRewrite = { table: 'events', file: 's3://lake-bucket/events/dt=2026-01-05/f-1.parquet', dt: '2026-01-05', rows: 2 };

/** S3 as the rewrite sees it: the temporary prefix empty before the UNLOAD and holding `outputs` after. */
function unloadWrites(outputs: string[]) {
  let unloaded = false;
  athena.on(StartQueryExecutionCommand).callsFake(() => {
    unloaded = true;
    return { QueryExecutionId: 'q1' };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 10 } } });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: unloaded ? outputs.map((o) => ({ Key: `${input.Prefix}${o}` })) : [],
  }));
  s3.on(CopyObjectCommand).resolves({});
  s3.on(DeleteObjectsCommand).resolves({});
}

describe('Athena lake files', () => {
  it('rewrites a file with an UNLOAD of its kept rows in the lake types, then copies the output over it', async () => {
    unloadWrites(['part-0']);

    await lake().rewrite(file, ['p_mia']);

    const sql = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(sql).toMatchObject({ WorkGroup: 'nurture-lake', QueryExecutionContext: { Database: 'nurture_lake' } });
    expect(sql.QueryString).toMatch(/^UNLOAD \(SELECT CAST\(message_id AS VARCHAR\) AS message_id, .*CAST\(ts AS BIGINT\) AS ts, CAST\(received AS BIGINT\) AS received FROM events WHERE dt = '2026-01-05' AND "\$path" = 's3:\/\/lake-bucket\/events\/dt=2026-01-05\/f-1.parquet' AND NOT \(coalesce\(profile_id IN \('p_mia'\), false\)\)\) TO 's3:\/\/lake-bucket\/erasure-tmp\/[0-9a-f]{32}\/' WITH \(format = 'PARQUET', compression = 'SNAPPY'\)$/);
    const copies = s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
    expect(copies).toEqual([expect.objectContaining({ Bucket: 'lake-bucket', Key: 'events/dt=2026-01-05/f-1.parquet', CopySource: expect.stringMatching(/^lake-bucket\/erasure-tmp\/[0-9a-f]{32}\/part-0$/) })]);
    // The temporary output is cleaned up afterwards.
    const deleted = s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key));
    expect(deleted).toEqual([expect.stringMatching(/^erasure-tmp\/[0-9a-f]{32}\/part-0$/)]);
  });

  it('copies extra UNLOAD files in beside the original before overwriting it, so a failure midway loses no kept row', async () => {
    unloadWrites(['part-0', 'part-1', 'part-2']);

    await lake().rewrite(file, ['p_mia']);

    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'events/dt=2026-01-05/f-1-1.parquet',
      'events/dt=2026-01-05/f-1-2.parquet',
      'events/dt=2026-01-05/f-1.parquet',
    ]);
  });

  it('deletes a file none of whose rows stay', async () => {
    unloadWrites([]);

    await lake().rewrite(file, ['p_mia']);

    expect(s3.commandCalls(CopyObjectCommand)).toEqual([]);
    const deleted = s3.commandCalls(DeleteObjectsCommand).flatMap((c) => c.args[0].input.Delete!.Objects!.map((o) => o.Key));
    expect(deleted).toEqual(['events/dt=2026-01-05/f-1.parquet']);
  });

  it('never touches an object outside its table in the lake bucket', async () => {
    unloadWrites(['part-0']);

    await expect(lake().rewrite({ ...file, file: 's3://other-bucket/events/dt=2026-01-05/f.parquet' }, ['p_mia'])).rejects.toThrow(/not a events file/);
    await expect(lake().rewrite({ ...file, file: 's3://lake-bucket/identity/dt=2026-01-05/f.parquet' }, ['p_mia'])).rejects.toThrow(/not a events file/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toEqual([]);
  });

  it('reads query results page by page under their column names, and fails on a failed query with its reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena.on(GetQueryExecutionCommand).resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } }).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 42 } } });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({ ResultSet: { Rows: [{ Data: [{ VarCharValue: 'file' }, { VarCharValue: 'n' }] }, { Data: [{ VarCharValue: 's3://a' }, { VarCharValue: '2' }] }] }, NextToken: 't' })
      .resolves({ ResultSet: { Rows: [{ Data: [{ VarCharValue: 's3://b' }, {}] }] } });

    const result = await lake().query('SELECT 1');

    expect(result.rows).toEqual([{ file: 's3://a', n: '2' }, { file: 's3://b', n: null }]);
    expect(result.bytesScanned).toBe(42);

    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Query exhausted resources' } } });
    await expect(lake().query('SELECT 1')).rejects.toThrow(AthenaQueryError);
  });
});
