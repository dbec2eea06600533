import { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { erasurePk } from '../../functions/analytics/adapters/erasure-store.js';
import { erasureKeyPrefix } from '../../functions/analytics/domain/erasure.js';
import { erasureRoutes } from '../../functions/analytics/erasure-routes.js';
import { analyticsRoutes } from '../../functions/analytics/routes.js';
import { defaultLakeRetentionDays, lakeTables, partitionColumn } from '../../functions/analytics/domain/lake.js';
import { defaultAthenaScanLimitGb } from '../../infra/config.js';
import { lakeLifetimes, lakePrefixes, lakeProjectionStart, lakeSettleSeconds, lakeTiering } from '../../infra/analytics.js';
import { deliveryStreamEnv, lakeBuffering } from '../../infra/analytics-delivery.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;
let configured: { template: Template; stack: NurtureStack };

beforeAll(() => {
  ({ template, stack } = synthStack());
  configured = synthStack({ 'nurture:athenaScanLimitGb': 3, 'nurture:lakeRetentionDays': 90 });
}, 2 * synthTimeoutMs);

afterAll(removeOutdirs);

type Resource = { Type: string; Properties: Record<string, any> };
/** Logical id of an L2 construct or of an L1 resource itself. */
const idOf = (c: IConstruct) => (c instanceof CfnElement ? Stack.of(c).getLogicalId(c) : logicalIdOf(c));
const props = (t: Template, construct: IConstruct) => (t.toJSON().Resources[idOf(construct)] as Resource).Properties;
const cfnRef = (c: CfnElement) => ({ Ref: idOf(c) });
const cfnArn = (c: CfnElement) => ({ 'Fn::GetAtt': [idOf(c), 'Arn'] });
const lakeBucketArn = () => getAtt(stack.analytics.bucket);
const objects = (prefix: string) => ({ 'Fn::Join': ['', [lakeBucketArn(), `/${prefix}*`]] });

describe('lake bucket', () => {
  it('blocks public access, refuses plain HTTP, logs access and keeps no old versions (which would keep erased rows)', () => {
    const bucket = props(template, stack.analytics.bucket);
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.VersioningConfiguration).toBeUndefined();
    expect(bucket.LoggingConfiguration).toEqual({ DestinationBucketName: ref(stack.content.accessLogs), LogFilePrefix: 'lake/' });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref(stack.analytics.bucket)));
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });

  it('expires table files after the retention (default and configured), the short-lived prefixes sooner, and tiers large files', () => {
    const rules = (t: Template, s: NurtureStack) => props(t, s.analytics.bucket).LifecycleConfiguration.Rules as Record<string, any>[];
    const expiry = (t: Template, s: NurtureStack, prefix: string) => rules(t, s).find((r) => r.Prefix === prefix && r.ExpirationInDays)?.ExpirationInDays;
    for (const table of Object.keys(lakeTables)) {
      expect(expiry(template, stack, `${table}/`)).toBe(defaultLakeRetentionDays);
      expect(expiry(configured.template, configured.stack, `${table}/`)).toBe(90);
      expect(rules(template, stack)).toContainEqual(
        expect.objectContaining({ Prefix: `${table}/`, ObjectSizeGreaterThan: String(lakeTiering.minBytes), Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: lakeTiering.afterDays }] }),
      );
    }
    expect(expiry(template, stack, lakePrefixes.errors)).toBe(lakeLifetimes.errorsDays);
    expect(expiry(template, stack, lakePrefixes.athenaResults)).toBe(lakeLifetimes.athenaResultsDays);
    expect(expiry(template, stack, lakePrefixes.erasureTmp)).toBe(lakeLifetimes.erasureTmpDays);
    expect(lakeLifetimes.errorsDays).toBeLessThan(30);
  });
});

describe('Glue tables', () => {
  it('declare the lake.ts columns as Parquet, partitioned by dt, with dt projected from a start date to NOW (no crawler)', () => {
    expect(template.findResources('AWS::Glue::Crawler')).toEqual({});
    for (const table of Object.keys(lakeTables) as (keyof typeof lakeTables)[]) {
      const input = props(template, stack.analytics.tables[table]).TableInput;
      expect(input.Name).toBe(table);
      expect(input.StorageDescriptor.Columns).toEqual(lakeTables[table].columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string', Comment: partitionColumn.comment }]);
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': `${lakeProjectionStart},NOW`,
      });
      expect(JSON.stringify(input.Parameters['storage.location.template'])).toContain(`/${table}/dt=\${dt}/`);
    }
  });
});

describe('Firehose delivery streams', () => {
  it('split records into rows, partition them by .dt, convert them to Parquet with the Glue schema and write <table>/dt=<dt>/', () => {
    for (const table of Object.keys(lakeTables) as (keyof typeof lakeTables)[]) {
      const stream = props(template, stack.analytics.delivery.streams[table]);
      const s3 = stream.ExtendedS3DestinationConfiguration;
      expect(stream.DeliveryStreamType).toBe('DirectPut');
      expect(stream.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
      expect(s3.Prefix).toBe(`${table}/dt=!{partitionKeyFromQuery:dt}/`);
      expect(s3.ErrorOutputPrefix).toMatch(new RegExp(`^errors/${table}/!\\{firehose:error-output-type\\}/`));
      expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
      expect(s3.ProcessingConfiguration.Processors).toEqual([
        { Type: 'RecordDeAggregation', Parameters: [{ ParameterName: 'SubRecordType', ParameterValue: 'JSON' }] },
        { Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{dt: .dt}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] },
      ]);
      expect(s3.DataFormatConversionConfiguration).toMatchObject({
        Enabled: true,
        InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
        OutputFormatConfiguration: { Serializer: { ParquetSerDe: {} } },
        SchemaConfiguration: { DatabaseName: stack.analytics.databaseName, TableName: table, VersionId: 'LATEST' },
      });
      // Format conversion needs at least 64 MiB of buffer.
      expect(s3.BufferingHints).toEqual({ SizeInMBs: lakeBuffering.sizeMiB, IntervalInSeconds: lakeBuffering.intervalSeconds });
      expect(lakeBuffering.sizeMiB).toBeGreaterThanOrEqual(64);
      expect(s3.CloudWatchLoggingOptions.Enabled).toBe(true);
    }
  });

  it("may write only its table's and its errors' prefixes, read its Glue table, and log", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties).includes('glue:GetTableVersions'));
    expect(policies).toHaveLength(Object.keys(lakeTables).length);
    for (const table of Object.keys(lakeTables)) {
      const policy = policies.find((p) => JSON.stringify(p.Properties).includes(`/${table}/*`))!;
      const statements = policy.Properties.PolicyDocument.Statement as Parameters<typeof actionsOf>[0][];
      const puts = statements.find((s) => actionsOf(s).includes('s3:PutObject'))!;
      expect(resourcesOf(puts)).toEqual([objects(`${table}/`), objects(`errors/${table}/`)]);
      expect(statements.flatMap(actionsOf).every((a) => /^(s3|glue|logs):/.test(a))).toBe(true);
    }
  });
});

describe('Athena workgroup', () => {
  it('enforces engine 3, encrypted results in the lake bucket, and the scan limit of nurture:athenaScanLimitGb', () => {
    const config = (t: Template, s: NurtureStack) => props(t, s.analytics.workgroup).WorkGroupConfiguration;
    expect(config(template, stack)).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: defaultAthenaScanLimitGb * 1024 ** 3,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
    });
    expect(JSON.stringify(config(template, stack).ResultConfiguration.OutputLocation)).toContain(`/${lakePrefixes.athenaResults}`);
    expect(config(configured.template, configured.stack).BytesScannedCutoffPerQuery).toBe(3 * 1024 ** 3);
  });
});

describe('grants', () => {
  it('lets the stream processor put records on the two delivery streams only, and names them in its environment', () => {
    const { process } = stack.scoring;
    const firehose = roleStatements(template, process).filter((s) => actionsOf(s).some((a) => a.startsWith('firehose:')));
    expect(firehose).toEqual([
      expect.objectContaining({
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: Object.values(stack.analytics.delivery.streams).map(cfnArn),
      }),
    ]);
    const env = props(template, process).Environment.Variables;
    for (const table of Object.keys(lakeTables) as (keyof typeof lakeTables)[]) expect(env[deliveryStreamEnv[table]]).toEqual(cfnRef(stack.analytics.delivery.streams[table]));
  });

  it('lets the reports function query through its workgroup and read the lake, writing only Athena results', () => {
    const { admin, workgroup } = stack.analytics;
    const statements = roleStatements(template, admin);
    const athena = statements.find((s) => actionsOf(s).some((a) => a.startsWith('athena:')))!;
    expect(actionsOf(athena).sort()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'athena:StopQueryExecution']);
    expect(JSON.stringify(athena.Resource)).toContain(`:workgroup/${workgroup.name}`);
    const writes = statements.filter((s) => actionsOf(s).some((a) => ['s3:PutObject', 's3:DeleteObject'].includes(a)));
    expect(writes.flatMap(resourcesOf)).toEqual([objects(lakePrefixes.athenaResults)]);
    expect(props(template, admin).Environment.Variables).toMatchObject({ ATHENA_WORKGROUP: workgroup.name, LAKE_DATABASE: stack.analytics.databaseName });
  });

  it('lets the erasure job rewrite lake files, and the admin function (which takes erasure requests) rewrite none', () => {
    const erase = roleStatements(template, stack.analytics.erase);
    const deletes = erase.filter((s) => actionsOf(s).includes('s3:DeleteObject')).flatMap(resourcesOf);
    expect(deletes).toEqual(expect.arrayContaining([objects('events/'), objects('identity/'), objects(lakePrefixes.erasureTmp)]));
    expect(deletes).not.toContainEqual(objects(lakePrefixes.errors));
    expect(props(template, stack.analytics.erase).Environment.Variables).toMatchObject({ LAKE_SETTLE_SECONDS: String(lakeSettleSeconds), LAKE_BUCKET: ref(stack.analytics.bucket) });
    expect(lakeSettleSeconds).toBeGreaterThanOrEqual(1.5 * lakeBuffering.intervalSeconds);
    const admin = roleStatements(template, stack.analytics.admin);
    expect(admin.flatMap(actionsOf)).not.toContain('s3:DeleteObject');
    // Athena writes query results as the caller: under athena-results/ only (grantQueries).
    expect(admin.filter((s) => actionsOf(s).includes('s3:PutObject')).flatMap(resourcesOf)).toEqual([objects(lakePrefixes.athenaResults)]);
  });

  it('lets the admin function read the main table (media registry, ad costs, erasure requests) and put erasure request items only', () => {
    const dynamo = roleStatements(template, stack.analytics.admin).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const reads = dynamo.filter((s) => !s.Condition);
    expect(reads.flatMap(actionsOf).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(reads.flatMap(resourcesOf)).toContainEqual(getAtt(stack.profiles.main.table));
    // Writes: PutItem on items whose partition key is an erasure request's (erasure#<id>), nothing else.
    const writes = dynamo.filter((s) => s.Condition);
    expect(writes).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: getAtt(stack.profiles.main.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${erasureKeyPrefix}*`] } },
      },
    ]);
    expect(erasurePk('0b5c4a3e-1111-4222-8333-944455556666').startsWith(erasureKeyPrefix)).toBe(true);
    expect(props(template, stack.analytics.admin).Environment.Variables).toMatchObject({ TABLE_NAME: ref(stack.profiles.main.table) });
  });

  it('runs the erasure job daily', () => {
    expect(props(template, stack.analytics.eraseSchedule)).toMatchObject({ ScheduleExpression: 'cron(0 4 * * ? *)', State: 'ENABLED' });
  });

  it('registers the admin function, which serves the reports and the erasure requests, so their routes are wired', () => {
    expect(stack.functions.get('analyticsAdmin')).toBe(stack.analytics.admin);
    expect(erasureRoutes.every((r) => r.fn === 'analyticsAdmin' && r.auth === 'admin')).toBe(true);
    expect(analyticsRoutes.every((r) => r.fn === 'analyticsAdmin' && r.auth === 'admin')).toBe(true);
    expect(analyticsRoutes).toEqual(expect.arrayContaining(erasureRoutes));
    expect(routes.filter((r) => r.path.startsWith('/v1/admin/analytics')).every((r) => stack.functions.get(r.fn))).toBe(true);
  });
});
