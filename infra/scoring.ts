import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventBus } from '../functions/shared/resources.js';
import {
  type DefinedBucket,
  type DefinedBus,
  type DefinedStream,
  type DefinedTable,
  NurtureFunction,
} from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/** The repository's default rules ship with each reader of rules, in force until the first upload. */
export const defaultRules = {
  files: [{ from: 'templates/rules/scoring.yaml', to: 'default-rules.yaml' }],
  environment: { DEFAULT_RULES_FILE: 'default-rules.yaml' },
};

/**
 * Keys of the scoring rules in the content bucket, as functions/scoring/adapters/rules-source.ts reads
 * and writes them (repeated here because infra/ imports no runtime code; test/infra/scoring.test.ts
 * checks the two agree).
 */
export const rulesKeys = {
  prefix: 'rules/',
  upload: 'rules/scoring.yaml',
  active: 'rules/active/scoring.yaml',
  check: 'rules/scoring.check.json',
} as const;

/** Iterator age (ms) above which the processor is falling behind: normal is the 5 s batching window. */
export const iteratorAgeAlarmMs = 60_000;

export interface ScoringProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly events: DefinedStream;
  readonly functions: FunctionRegistry;
}

/**
 * Lead scoring: the domain event bus, the stream processor (identity, scoring, activity, events) with
 * its failure queue and alarms, the rules upload check, and the daily dormancy sweep.
 */
export class Scoring extends Construct {
  readonly bus: DefinedBus;
  readonly process: NurtureFunction;
  /** On-failure destination of the stream processor: metadata of batches given up on, for replay. */
  readonly failures: Queue;
  readonly iteratorAgeAlarm: Alarm;
  readonly failuresAlarm: Alarm;
  readonly rulesCheck: NurtureFunction;
  readonly sweep: NurtureFunction;
  readonly sweepSchedule: Rule;

  constructor(scope: Construct, id: string, props: ScoringProps) {
    super(scope, id);
    const { logRetention, profiles, content, events, functions } = props;

    // Named after the stack (`nurture` for the default one), so CRM rules and scenarios can find it
    // and two Nurture stacks in one account and region do not collide.
    const bus = new EventBus(this, eventBus.id, { eventBusName: Stack.of(this).stackName.toLowerCase() });
    this.bus = { bus, def: eventBus };

    this.process = functions.register(
      'process',
      new NurtureFunction(this, 'Process', {
        ...defaultRules,
        name: 'process',
        description: 'Stream processor: identity resolution, scoring, activity history, domain events',
        logRetention,
        memorySize: 512,
        timeout: Duration.seconds(60),
      })
        // Get/BatchGet/Put/Update for identity, scoring, activity and segment members; Query and DeleteItem below.
        .bindTable(profiles, 'write')
        .bindBucket(content, 'read', { prefix: rulesKeys.prefix })
        .bindBus(this.bus),
    );
    // Resuming scenario waits (functions/scenarios/adapters/task-tokens.ts resumeWaits) queries a profile's
    // wait-token items and deletes each token once used; segment definitions are read by Query and a member
    // who leaves a segment is deleted (in a transaction with its counter): exactly those two actions, on
    // the table only (no index, Scan or BatchWriteItem).
    this.process.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:DeleteItem'], resources: [profiles.table.tableArn] }),
    );

    // Lambda sends only a description of the failed batch here (stream ARN, shard id, first and last
    // sequence number, arrival time, batch size), never the records themselves: replay reads that range
    // from the stream (GetShardIterator AT_SEQUENCE_NUMBER, GetRecords) and puts the records back, which
    // is safe because the processor deduplicates by messageId. The records stay readable only for the
    // stream's retention, hence maxRecordAge below at half of it. README "Deploy to AWS" has the steps.
    this.failures = new Queue(this, 'ProcessFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the stream processor; nothing consumes it automatically, so there is no processing failure for a further dead-letter queue to catch.',
    });

    this.process.addEventSource(
      new KinesisEventSource(events.stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        // Up to 100 records or 5 s per invocation: the processor aggregates per profile within a batch,
        // so bigger batches mean fewer DynamoDB writes per event (DESIGN.md: near 1), at the price of at
        // most 5 s added latency when traffic is light.
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        // The handler reports the first failed record; Lambda retries from there, not the whole batch.
        reportBatchItemFailures: true,
        // A poison record is isolated by halving the batch instead of blocking its shard.
        bisectBatchOnError: true,
        retryAttempts: 5,
        // Half the stream's retention: a batch given up on still leaves as long again to replay it.
        maxRecordAge: Duration.hours(events.def.retentionHours / 2),
        // One batch per shard at a time keeps each visitor's events (partition key) in order.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.failures),
      }),
    );

    this.iteratorAgeAlarm = new Alarm(this, 'ProcessIteratorAge', {
      alarmDescription: `The stream processor is behind: its oldest unprocessed record has been waiting over ${iteratorAgeAlarmMs / 1000} s for 5 minutes.`,
      metric: this.process.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: Duration.minutes(1) }),
      threshold: iteratorAgeAlarmMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      // No invocations, no datapoints: an idle stream is not a stalled one.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.failuresAlarm = new Alarm(this, 'ProcessFailuresWaiting', {
      alarmDescription:
        'The stream processor gave up on a batch: its shard and sequence range wait in the failure queue for replay (README, Deploy to AWS).',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS stops publishing metrics for a queue nobody touched for 6 hours, messages or not: keep the
      // last state instead of letting a forgotten failure turn the alarm back to OK.
      treatMissingData: TreatMissingData.IGNORE,
    });

    this.rulesCheck = functions.register(
      'rulesCheck',
      new NurtureFunction(this, 'RulesCheck', {
        name: 'rulesCheck',
        description: `Validates uploads of ${rulesKeys.upload} and activates valid ones`,
        logRetention,
      }).bindBucket(content, 'read', { prefix: rulesKeys.prefix }),
    );
    // CopyObject needs GetObject on the source (granted above) and PutObject on the destination. Writes
    // are limited to the two keys the check produces: it cannot overwrite the upload that triggers it.
    this.rulesCheck.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [content.bucket.arnForObjects(rulesKeys.active), content.bucket.arnForObjects(rulesKeys.check)],
      }),
    );
    // Prefix and suffix both equal the key: S3 filters offer no exact match, and the handler ignores
    // any other key (e.g. rules/scoring.yaml.bak) anyway.
    content.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.rulesCheck), {
      prefix: rulesKeys.upload,
      suffix: rulesKeys.upload,
    });

    this.sweep = functions.register(
      'sweep',
      new NurtureFunction(this, 'Sweep', {
        ...defaultRules,
        name: 'sweep',
        description: 'Daily: moves known leads without recent activity to the dormant stage, and customers due to their next lifecycle state',
        logRetention,
        // Pages through the ranking and lifecycle due indexes and updates one lead at a time.
        timeout: Duration.minutes(5),
      })
        // Query on the indexes, BatchGetItem of due profiles, plus conditional UpdateItem; 'readWrite' would add DeleteItem and
        // BatchWriteItem, which the sweep never calls.
        .bindTable(profiles, 'read')
        .bindTable(profiles, 'write')
        .bindBucket(content, 'read', { prefix: rulesKeys.prefix })
        .bindBus(this.bus),
    );
    this.sweepSchedule = new Rule(this, 'SweepSchedule', {
      description: 'Runs the dormancy sweep daily at 03:00 UTC',
      schedule: Schedule.cron({ minute: '0', hour: '3' }),
      // The sweep is idempotent (conditional updates), and tomorrow's run picks up what today's missed.
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 2 })],
    });

    this.acknowledgeBucketNotificationsHandler();
  }

  /**
   * `addEventNotification` on a bucket of this stack deploys CDK's stack-wide BucketNotificationsHandler
   * (a custom resource that calls PutBucketNotificationConfiguration). Its role is CDK's, not ours; CDK
   * already scopes its s3:PutBucketNotification to the bucket, only the managed policy is left to flag.
   */
  private acknowledgeBucketNotificationsHandler(): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    const role = handler?.node.tryFindChild('Role');
    if (!role) return;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own BucketNotificationsHandler (it configures the content bucket's notifications at deploy time, then idles) uses the AWS managed basic execution role for its logs; CDK offers no way to give it another role.",
    });
  }
}
