import { reportSqlFiles } from '../functions/analytics/adapters/report-sql.js';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, type IBucket, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { erasureKeyPrefix, erasureTmpPrefix } from '../functions/analytics/domain/erasure.js';
import { type LakeTable, lakeTables, partitionColumn } from '../functions/analytics/domain/lake.js';
import { LakeDelivery, lakeBuffering } from './analytics-delivery.js';
import type { NurtureConfig } from './config.js';
import { type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/** Key prefixes of the lake bucket. */
export const lakePrefixes = {
  ...(Object.fromEntries(Object.keys(lakeTables).map((t) => [t, `${t}/`])) as Record<LakeTable, string>),
  /** Records Firehose could not convert or deliver (raw rows: they expire soon, see lakeLifetimes). */
  errors: 'errors/',
  /** Athena query results (the workgroup's enforced result location). */
  athenaResults: 'athena-results/',
  /** UNLOAD output of erasure before it replaces a lake file. */
  erasureTmp: erasureTmpPrefix,
} as const;

/** Days objects under the short-lived prefixes live. */
export const lakeLifetimes = {
  /** Long enough to look into a delivery failure; short enough that the raw rows in them are gone well within an erasure's month. */
  errorsDays: 14,
  /** Reports read results right after the query; a week leaves room for Athena's result reuse and a look by hand. */
  athenaResultsDays: 7,
  /** The job deletes its temporary output itself; this catches what a failed run left. */
  erasureTmpDays: 1,
} as const;

/**
 * Lake files move to S3 Intelligent-Tiering after this many days, if larger than minBytes. It has no
 * retrieval fee and no minimum storage duration (unlike Standard-IA, whose retrieval fee every erasure
 * scan and long-window report would pay), and halves the price of files nobody read for 30 days; its
 * monitoring fee per object outweighs that below about 1 MiB, and it does not tier objects under 128 KiB.
 */
export const lakeTiering = { afterDays: 30, minBytes: 1024 * 1024 } as const;

/**
 * First partition date the Glue tables project (dt ranges from here to NOW). Fixed and early rather than
 * "NOW minus the retention": lifecycle expires files by age, not by dt, and every file present must stay
 * visible to the erasure job's queries.
 */
export const lakeProjectionStart = '2025-01-01';

/**
 * Seconds an erasure request waits before the job reads the lake: Firehose may deliver a row up to 1.5
 * times its buffer interval after it was put (multi-stage buffering with dynamic partitioning), so twice
 * the interval covers what the processor had put before the request.
 */
export const lakeSettleSeconds = 2 * lakeBuffering.intervalSeconds;

/** UTC time of the daily erasure run (after the 03:00 dormancy sweep). */
export const erasureSchedule = { hour: 4, minute: 0 } as const;

const gib = 1024 ** 3;

export interface AnalyticsProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  /** The stack's server access log bucket (infra/content.ts). */
  readonly accessLogs: IBucket;
  /** The stream processor, which writes the lake rows through the delivery streams. */
  readonly process: NurtureFunction;
  readonly functions: FunctionRegistry;
}

/**
 * The event lake: its bucket, the Glue catalog of its tables, the Firehose streams that write them, the
 * Athena workgroup that reads them, the admin function (reports and erasure requests) and the erasure job.
 */
export class Analytics extends Construct {
  readonly bucket: Bucket;
  readonly database: CfnDatabase;
  readonly databaseName: string;
  readonly tables: Record<LakeTable, CfnTable>;
  readonly delivery: LakeDelivery;
  readonly workgroup: CfnWorkGroup;
  readonly admin: NurtureFunction;
  readonly erase: NurtureFunction;
  readonly eraseSchedule: Rule;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const { config, logRetention, profiles, accessLogs, functions } = props;
    const stack = Stack.of(this);
    // Access logs go to the shared log bucket by its bucket policy (ACLs stay disabled), as content.ts does.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // SSE-S3 rather than SSE-KMS: Firehose, Athena and the functions then need no key grants, Athena's many
    // GETs pay no KMS requests, and access is decided by IAM alone, as for the other buckets. Versioning
    // stays off: a noncurrent version of a rewritten file would keep the rows erasure removed.
    this.bucket = new Bucket(this, 'Lake', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: this.lifecycleRules(config.lakeRetentionDays),
    });
    // The L2 bucket writes ObjectSizeGreaterThan as a number; CloudFormation's schema says string.
    this.lifecycleRules(config.lakeRetentionDays).forEach((rule, i) => {
      if ('objectSizeGreaterThan' in rule) {
        (this.bucket.node.defaultChild as CfnBucket).addPropertyOverride(`LifecycleConfiguration.Rules.${i}.ObjectSizeGreaterThan`, String(rule.objectSizeGreaterThan));
      }
    });

    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_lake`;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'Nurture event lake (functions/analytics/domain/lake.ts)' },
    });
    const tables = {} as Record<LakeTable, CfnTable>;
    for (const table of Object.keys(lakeTables) as LakeTable[]) tables[table] = this.glueTable(table);
    this.tables = tables;

    this.delivery = new LakeDelivery(this, 'Delivery', {
      bucket: this.bucket,
      databaseName: this.databaseName,
      tables,
      prefixes: lakePrefixes,
      logRetention,
    });
    this.delivery.grantPut(props.process);

    this.workgroup = new CfnWorkGroup(this, 'Workgroup', {
      name: `${stack.stackName.toLowerCase()}-lake`,
      description: 'Reports and erasure over the Nurture event lake',
      // Deleting the stack deletes the workgroup with its saved queries (nothing of record lives there).
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Callers cannot choose another result location, skip encryption or lift the scan limit.
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: config.athenaScanLimitGb * gib,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: this.bucket.s3UrlForObject(lakePrefixes.athenaResults),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    const lakeEnv = { ATHENA_WORKGROUP: this.workgroup.name, LAKE_DATABASE: this.databaseName };
    this.admin = functions.register(
      'analyticsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'analyticsAdmin',
        description: 'Admin reports over the event lake (Athena) and erasure requests of its rows',
        logRetention,
        memorySize: 512,
        // API Gateway answers 503 after 30 s: a report that needs longer is a report to fix.
        timeout: Duration.seconds(29),
        lazyModules: ['@duckdb/node-api'],
        files: reportSqlFiles,
        environment: lakeEnv,
      })
        // Reads the media registry and the ad costs (channels' items in the main table) for channels and
        // attribution, and erasure requests; writes erasure requests only (grantErasureRequestWrites).
        .bindTable(profiles, 'read'),
    );
    this.grantQueries(this.admin);
    // The erasure request routes are served by this function rather than one of their own: a function
    // costs a role, a policy, a log group, an API integration and an invoke permission of the stack's
    // 500 CloudFormation resources, which its scenarios need (README "Scenarios").
    this.grantErasureRequestWrites(this.admin, profiles);

    this.erase = functions.register(
      'lakeErase',
      new NurtureFunction(this, 'Erase', {
        name: 'lakeErase',
        description: "Daily: erases requested people's rows from the event lake (Athena UNLOAD, then S3)",
        logRetention,
        memorySize: 512,
        // Lambda's longest: the job stops starting rewrites 3 minutes before (erasure-ports.ts runBudgetMs).
        timeout: Duration.minutes(15),
        lazyModules: ['@duckdb/node-api'],
        environment: { ...lakeEnv, LAKE_BUCKET: this.bucket.bucketName, LAKE_SETTLE_SECONDS: String(lakeSettleSeconds) },
      })
        // Query on the index of pending requests, BatchGet and Put of the requests.
        .bindTable(profiles, 'read')
        .bindTable(profiles, 'write'),
    );
    this.grantQueries(this.erase);
    this.grantRewrites(this.erase);
    this.eraseSchedule = new Rule(this, 'EraseSchedule', {
      description: `Runs the lake erasure job daily at ${erasureSchedule.hour}:00 UTC`,
      schedule: Schedule.cron({ minute: String(erasureSchedule.minute), hour: String(erasureSchedule.hour) }),
      // Idempotent, and what a run leaves pending the next run carries on.
      targets: [new LambdaFunction(this.erase, { retryAttempts: 2 })],
    });
  }

  private lifecycleRules(retentionDays: number) {
    const tablePrefixes = Object.keys(lakeTables).map((t) => lakePrefixes[t as LakeTable]);
    return [
      ...tablePrefixes.map((prefix) => ({ id: `expire-${prefix.slice(0, -1)}`, prefix, expiration: Duration.days(retentionDays) })),
      // A rule of its own: the size filter of a rule applies to its expiration too.
      ...(retentionDays > lakeTiering.afterDays
        ? tablePrefixes.map((prefix) => ({
            id: `tier-${prefix.slice(0, -1)}`,
            prefix,
            objectSizeGreaterThan: lakeTiering.minBytes,
            transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(lakeTiering.afterDays) }],
          }))
        : []),
      { id: 'expire-errors', prefix: lakePrefixes.errors, expiration: Duration.days(lakeLifetimes.errorsDays) },
      { id: 'expire-athena-results', prefix: lakePrefixes.athenaResults, expiration: Duration.days(lakeLifetimes.athenaResultsDays) },
      { id: 'expire-erasure-tmp', prefix: lakePrefixes.erasureTmp, expiration: Duration.days(lakeLifetimes.erasureTmpDays) },
      // Firehose and Athena upload large objects in parts; parts of an upload that never completed cost as stored.
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ];
  }

  /** A Glue table of `table` from lake.ts: Parquet under `<table>/`, dt projected (no crawler, no partitions to add). */
  private glueTable(table: LakeTable): CfnTable {
    const location = this.bucket.s3UrlForObject(lakePrefixes[table]);
    const glueTable = new CfnTable(this, `${table.charAt(0).toUpperCase()}${table.slice(1)}Table`, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: table,
        description: `Nurture lake table ${table} (functions/analytics/domain/lake.ts)`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          [`projection.${partitionColumn.name}.type`]: 'date',
          [`projection.${partitionColumn.name}.format`]: 'yyyy-MM-dd',
          [`projection.${partitionColumn.name}.range`]: `${lakeProjectionStart},NOW`,
          [`projection.${partitionColumn.name}.interval`]: '1',
          [`projection.${partitionColumn.name}.interval.unit`]: 'DAYS',
          'storage.location.template': `${location}${partitionColumn.name}=\${${partitionColumn.name}}/`,
        },
        partitionKeys: [{ name: partitionColumn.name, type: partitionColumn.type, comment: partitionColumn.comment }],
        storageDescriptor: {
          location,
          columns: lakeTables[table].columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    glueTable.node.addDependency(this.database);
    return glueTable;
  }

  private glueArns(): string[] {
    const stack = Stack.of(this);
    const arn = (resource: string) => stack.formatArn({ service: 'glue', resource });
    return [arn('catalog'), arn(`database/${this.databaseName}`), ...Object.keys(lakeTables).map((t) => arn(`table/${this.databaseName}/${t}`))];
  }

  /**
   * Lets a function of another capability read the lake through Athena (the profile API's activity,
   * scenario behaviour conditions): the workgroup and database in its environment, and the query grants.
   */
  grantLakeReads(fn: NurtureFunction): void {
    fn.addEnvironment('ATHENA_WORKGROUP', this.workgroup.name);
    fn.addEnvironment('LAKE_DATABASE', this.databaseName);
    this.grantQueries(fn);
  }

  /**
   * Athena queries through the workgroup, as the caller's own credentials do them: the query API on this
   * workgroup, Glue reads of the lake's database and tables, S3 reads of the lake, and the result location.
   */
  private grantQueries(fn: NurtureFunction): void {
    const stack = Stack.of(this);
    const { bucket } = this;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroup.name })],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'], resources: this.glueArns() }));
    const tablePrefixes = Object.keys(lakeTables).map((t) => lakePrefixes[t as LakeTable]);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [...tablePrefixes, lakePrefixes.athenaResults].map((p) => `${p}*`) } },
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: tablePrefixes.map((p) => bucket.arnForObjects(`${p}*`)) }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [bucket.arnForObjects(`${lakePrefixes.athenaResults}*`)],
      }),
    );
    this.acknowledgeObjectWildcards(fn.role!, [...tablePrefixes, lakePrefixes.athenaResults], 'read lake files and write Athena query results');
  }

  /**
   * PutItem of erasure request items only: a condition on the partition key (dynamodb:LeadingKeys, which
   * every item-level call carries) to the erasure items' prefix, so the admin function that creates them
   * cannot write profiles or anything else of the main table. The job still has the table-wide grant.
   */
  private grantErasureRequestWrites(fn: NurtureFunction, profiles: DefinedTable): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [profiles.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${erasureKeyPrefix}*`] } },
      }),
    );
    profiles.table.encryptionKey?.grantEncryptDecrypt(fn);
  }

  /**
   * Erasure's rewrites: UNLOAD writes to the temporary prefix (as the caller), the job lists, copies and
   * deletes there, then overwrites or deletes lake files (CopyObject reads the source, puts the target).
   */
  private grantRewrites(fn: NurtureFunction): void {
    const { bucket } = this;
    const tablePrefixes = Object.keys(lakeTables).map((t) => lakePrefixes[t as LakeTable]);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${lakePrefixes.erasureTmp}*`] } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [bucket.arnForObjects(`${lakePrefixes.erasureTmp}*`)],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: tablePrefixes.map((p) => bucket.arnForObjects(`${p}*`)) }));
    this.acknowledgeObjectWildcards(fn.role!, [lakePrefixes.erasureTmp], 'rewrite lake files through a temporary prefix');
  }

  /** cdk-nag IAM5 on `<bucket>/<prefix>*`, one acknowledgement per prefix: S3 object ARNs need the wildcard. */
  acknowledgeObjectWildcards(scope: Construct, prefixes: readonly string[], purpose: string): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const prefix of prefixes) {
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Object-level access to the lake bucket under ${prefix} (to ${purpose}): S3 object ARNs are only expressible with a wildcard.`,
      });
    }
  }
}
