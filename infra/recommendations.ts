import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { recommendationSqlFiles } from '../functions/recommendations/adapters/sql-files.js';
import { type DefinedBucket, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/** When the daily model build runs (UTC): after the night's lake deliveries and the 04:00 erasure sweep's start. */
export const recommendationsBuildSchedule = { hour: 4, minute: 0 } as const;

/** Catalog uploads in the content bucket (functions/recommendations/domain/catalog-upload.ts, repeated: infra imports no runtime code). */
export const catalogKeys = { prefix: 'catalog/', sources: ['products.csv', 'products.json'] } as const;

export interface RecommendationsProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly functions: FunctionRegistry;
}

/**
 * Recommendations' models and catalog: the daily build (lake → catalog learnt from events, bought-together,
 * viewed-together and popular lists in the main table) and the catalog upload check (S3 notification on
 * `catalog/products.csv|json`). The stack grants the build its lake reads (Analytics.grantLakeReads).
 */
export class Recommendations extends Construct {
  readonly build: NurtureFunction;
  readonly buildSchedule: Rule;
  readonly catalogCheck: NurtureFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: RecommendationsProps) {
    super(scope, id);
    this.build = props.functions.register(
      'recommendationsBuild',
      new NurtureFunction(this, 'Build', {
        name: 'recommendationsBuild',
        description: 'Daily: recommendation models from the event lake (co-occurrence, popular) and the catalog learnt from events',
        logRetention: props.logRetention,
        // One Athena query (minutes on a large lake), then weighting in memory and batch writes.
        timeout: Duration.minutes(15),
        memorySize: 2048,
        files: recommendationSqlFiles,
        lazyModules: ['@duckdb/node-api'],
      })
        // Catalog items (BatchGet, BatchWrite), lists (BatchWrite put and delete), manifests (Query).
        .bindTable(props.profiles, 'readWrite'),
    );
    this.buildSchedule = new Rule(this, 'BuildSchedule', {
      description: 'Builds the recommendation models daily',
      schedule: Schedule.cron({ hour: String(recommendationsBuildSchedule.hour), minute: String(recommendationsBuildSchedule.minute) }),
      // Idempotent: a failed run is caught up by the next day's (or `nurture recommendations build`).
      targets: [new LambdaFunction(this.build, { retryAttempts: 1 })],
    });

    this.failures = new Queue(this, 'Failures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the catalog upload check; an operator inspects and redrives it, so no further dead-letter queue applies.',
    });
    this.catalogCheck = props.functions.register(
      'recommendationsCatalogCheck',
      new NurtureFunction(this, 'CatalogCheck', {
        name: 'recommendationsCatalogCheck',
        description: 'Checks an uploaded product catalog (CSV or JSON) and writes its products and report',
        logRetention: props.logRetention,
        memorySize: 1024,
        timeout: Duration.minutes(5),
        deadLetterQueue: this.failures,
        retryAttempts: 2,
      })
        .bindBucket(props.content, 'readWrite', { prefix: catalogKeys.prefix })
        // Products by BatchWriteItem.
        .bindTable(props.profiles, 'readWrite'),
    );
    for (const suffix of catalogKeys.sources) {
      for (const event of [EventType.OBJECT_CREATED, EventType.OBJECT_REMOVED]) {
        props.content.bucket.addEventNotification(event, new LambdaDestination(this.catalogCheck), { prefix: catalogKeys.prefix, suffix });
      }
    }
  }
}
