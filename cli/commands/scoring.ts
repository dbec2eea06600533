import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { ProfileReader } from '../../functions/profiles/adapters/profile-reader.js';
import { activeRulesKey, rulesKey } from '../../functions/scoring/adapters/rules-source.js';
import { backtest, formatReport } from '../../functions/scoring/domain/backtest.js';
import { backtestLimits, lakeHistories } from '../../functions/scoring/adapters/lake-histories.js';
import { DuckDbEngine } from '../../functions/analytics/adapters/duckdb-engine.js';
import { engineFor } from './analytics.js';
import { parseRules } from '../../functions/scoring/domain/rules.js';
import { InvalidRulesError } from '../../functions/scoring/errors.js';
import { formatProblem } from '../../functions/shared/problems.js';
import { portsFromEnv } from '../../local/runtime/ports.js';
import type { RegisterCommands } from './register.js';
import { registerPoison } from './scoring-poison.js';

async function rulesInForce(s3: S3Client, bucket: string): Promise<string> {
  for (const key of [activeRulesKey, rulesKey]) {
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await res.Body!.transformToString();
    } catch (err) {
      if ((err as Error).name !== 'NoSuchKey') throw err;
    }
  }
  throw new Error(`no rules in s3://${bucket}/${rulesKey}`);
}

function parseOrExplain(source: string, label: string) {
  try {
    return parseRules(source);
  } catch (err) {
    if (err instanceof InvalidRulesError) {
      const lines = err.problems.map((p) => formatProblem(label, p));
      throw new Error(`${label} is not a valid rules document (${lines.length} problem${lines.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    }
    throw err;
  }
}

export const registerScoring: RegisterCommands = (program: Command) => {
  const scoring = program.command('scoring').description('Lead scoring tools');
  scoring
    .command('backtest')
    .description('Replay the event lake\'s history through a draft ruleset (writes nothing) and compare it with the rules in force')
    .argument('<draft>', 'draft rules YAML file')
    .option('--current <file>', 'compare against this file instead of the rules in force in the content bucket')
    .option('--top <n>', 'how many leads to rank', '20')
    .option('--aws', 'read the deployed table and bucket with your AWS credentials instead of local mode')
    .option('--table <name>', 'table name', 'nurture-main')
    .option('--bucket <name>', 'content bucket name', 'nurture-content')
    .option('--dynamodb-endpoint <url>', 'local DynamoDB endpoint (default: a running npm start, port NURTURE_DYNAMODB_PORT or 4570)')
    .option('--s3-endpoint <url>', 'local S3 endpoint (default: a running npm start, port NURTURE_S3_PORT or 4572)')
    .option('--days <n>', `days of history to replay, at most ${backtestLimits.maxDays}`, String(backtestLimits.defaultDays))
    .option('--lake <folder>', 'local lake folder (default: LAKE_DIR, else <NURTURE_DATA_DIR or .nurture/data>/lake)')
    .option('--workgroup <name>', 'Athena workgroup (with --aws)', 'nurture-reports')
    .option('--database <name>', 'Glue database of the lake (with --aws)', 'nurture_lake')
    .option('--json', 'print the report as JSON')
    .action(async (draftFile: string, opts: Record<string, string | boolean>) => {
      const local = !opts.aws;
      const ports = local ? portsFromEnv() : undefined;
      const dynamodbEndpoint = String(opts.dynamodbEndpoint ?? `http://127.0.0.1:${ports?.dynamodb}`);
      const s3Endpoint = String(opts.s3Endpoint ?? `http://127.0.0.1:${ports?.s3}`);
      const cfg = local ? { region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {};
      const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...cfg, ...(local ? { endpoint: dynamodbEndpoint } : {}) }));
      const s3 = new S3Client({ ...cfg, ...(local ? { endpoint: s3Endpoint, forcePathStyle: true } : {}) });
      const draft = parseOrExplain(readFileSync(draftFile, 'utf8'), draftFile);
      const current = opts.current
        ? parseOrExplain(readFileSync(String(opts.current), 'utf8'), String(opts.current))
        : parseOrExplain(await rulesInForce(s3, String(opts.bucket)), 'the rules in force');
      // The history comes from the event lake (one query); the table only says who each person is now.
      const engine = await engineFor(opts);
      const histories = await lakeHistories(engine, new ProfileReader(doc, String(opts.table)), { days: Number(opts.days), now: new Date() });
      if (engine instanceof DuckDbEngine) engine.close();
      const top = Math.max(1, Math.min(500, Number(opts.top) || 20));
      const report = backtest(histories, current, draft, { top, asOf: new Date().toISOString() });
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatReport(report));
      doc.destroy();
      s3.destroy();
    });
  registerPoison(scoring);
};
