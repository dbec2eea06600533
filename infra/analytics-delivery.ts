import { ArnFormat, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type LakeTable, lakeTables, partitionColumn } from '../functions/analytics/domain/lake.js';
import type { NurtureFunction } from './nurture-function.js';

/**
 * Firehose buffering of the lake streams. Format conversion to Parquet needs a buffer of at least 64 MiB;
 * 128 MiB (the most) makes the largest files a busy site can get. The interval decides for a quiet site:
 * 900 s (the most) writes at most 96 files a day per table and partition, which keeps Firehose's per-object
 * charge of dynamic partitioning, S3 requests and Athena's per-file overhead low. The price: a row reaches
 * the reports 15 minutes after the processor put it, up to about 22 minutes (Firehose's multi-stage
 * buffering with dynamic partitioning can take 1.5 times the interval). What serving needs sooner is in
 * DynamoDB, not in the lake.
 */
export const lakeBuffering = { sizeMiB: 128, intervalSeconds: 900 } as const;

/** Environment variable through which the processor gets each table's delivery stream name. */
export const deliveryStreamEnv: Record<LakeTable, string> = {
  events: 'LAKE_EVENTS_STREAM',
  identity: 'LAKE_IDENTITY_STREAM',
};

export interface LakeDeliveryProps {
  readonly bucket: IBucket;
  readonly databaseName: string;
  readonly tables: Record<LakeTable, CfnTable>;
  readonly prefixes: Record<LakeTable | 'errors', string>;
  readonly logRetention: RetentionDays;
}

/**
 * One Firehose stream (Direct PUT) per lake table. A record holds many rows, newline-delimited JSON objects
 * each with its `dt`: Firehose splits them (multi-record deaggregation, at most 500 rows a record),
 * partitions them by `.dt` (inline JQ), converts them to Parquet with the Glue table's schema and writes
 * `<table>/dt=<dt>/…parquet`. Rows it cannot convert or deliver land under `errors/`.
 */
export class LakeDelivery extends Construct {
  readonly streams: Record<LakeTable, CfnDeliveryStream>;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LakeDeliveryProps) {
    super(scope, id);
    const { bucket, databaseName, tables, prefixes, logRetention } = props;
    const stack = Stack.of(this);
    this.logGroup = new LogGroup(this, 'Logs', { retention: logRetention });
    const streams = {} as Record<LakeTable, CfnDeliveryStream>;

    for (const table of Object.keys(lakeTables) as LakeTable[]) {
      const name = table.charAt(0).toUpperCase() + table.slice(1);
      const logStream = new LogStream(this, `${name}Delivery`, { logGroup: this.logGroup });
      const errorsPrefix = `${prefixes.errors}${table}/`;
      const tableArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${table}` });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': stack.account } } }),
        description: `Firehose delivery of the lake table ${table}`,
      });
      const policy = new iam.Policy(this, `${name}Policy`, {
        roles: [role],
        statements: [
          new iam.PolicyStatement({
            actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
            resources: [bucket.bucketArn],
          }),
          new iam.PolicyStatement({
            actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
            resources: [bucket.arnForObjects(`${prefixes[table]}*`), bucket.arnForObjects(`${errorsPrefix}*`)],
          }),
          // Format conversion reads the table's schema (LATEST version) from Glue.
          new iam.PolicyStatement({
            actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
            resources: [
              stack.formatArn({ service: 'glue', resource: 'catalog' }),
              stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
              tableArn,
            ],
          }),
          new iam.PolicyStatement({
            actions: ['logs:PutLogEvents'],
            resources: [
              stack.formatArn({
                service: 'logs',
                resource: 'log-group',
                resourceName: `${this.logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        ],
      });
      const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
      for (const prefix of [prefixes[table], errorsPrefix]) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
          reason: `Firehose writes the ${table} table's objects under ${prefix}: S3 object ARNs are only expressible with a wildcard.`,
        });
      }

      const stream = new CfnDeliveryStream(this, `${name}Stream`, {
        deliveryStreamType: 'DirectPut',
        // Encrypted at rest while buffered, with a key Firehose owns (no KMS charges or grants).
        deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
        extendedS3DestinationConfiguration: {
          bucketArn: bucket.bucketArn,
          roleArn: role.roleArn,
          prefix: `${prefixes[table]}${partitionColumn.name}=!{partitionKeyFromQuery:${partitionColumn.name}}/`,
          // Firehose requires the error type in the error prefix when the prefix uses partition keys.
          errorOutputPrefix: `${errorsPrefix}!{firehose:error-output-type}/${partitionColumn.name}=!{timestamp:yyyy-MM-dd}/`,
          fileExtension: '.parquet',
          bufferingHints: { sizeInMBs: lakeBuffering.sizeMiB, intervalInSeconds: lakeBuffering.intervalSeconds },
          // Parquet compresses itself (SNAPPY below); Firehose requires UNCOMPRESSED with format conversion.
          compressionFormat: 'UNCOMPRESSED',
          cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: logStream.logStreamName },
          dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
          processingConfiguration: {
            enabled: true,
            processors: [
              { type: 'RecordDeAggregation', parameters: [{ parameterName: 'SubRecordType', parameterValue: 'JSON' }] },
              {
                type: 'MetadataExtraction',
                parameters: [
                  { parameterName: 'MetadataExtractionQuery', parameterValue: `{${partitionColumn.name}: .${partitionColumn.name}}` },
                  { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
                ],
              },
            ],
          },
          dataFormatConversionConfiguration: {
            enabled: true,
            inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
            schemaConfiguration: {
              catalogId: stack.account,
              databaseName,
              tableName: table,
              region: stack.region,
              roleArn: role.roleArn,
              versionId: 'LATEST',
            },
          },
        },
      });
      // Firehose checks its role (Glue and S3 access) when the stream is created.
      stream.node.addDependency(policy);
      stream.node.addDependency(tables[table]);
      streams[table] = stream;
    }
    this.streams = streams;
  }

  /** Lets `fn` put records on both streams (nothing else) and gives it their names (deliveryStreamEnv). */
  grantPut(fn: NurtureFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        resources: Object.values(this.streams).map((s) => s.attrArn),
      }),
    );
    for (const table of Object.keys(this.streams) as LakeTable[]) fn.addEnvironment(deliveryStreamEnv[table], this.streams[table].ref);
  }
}
