import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type DefinedBucket, type DefinedBus, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';
import { segmentsSweepMinutes } from '../functions/segments/domain/due-sweep.js';
import { defaultRules, rulesKeys } from './scoring.js';

export interface SegmentsProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly bus: DefinedBus;
  readonly functions: FunctionRegistry;
}

/**
 * Segments: definitions (`segdefs` items of the main table), members pages and the preview of a draft,
 * served by functions/segments/admin.ts behind the admin routes' IAM authorizer. Membership is written by
 * the stream processor (infra/scoring.ts) and by the segments sweep here, which runs every minute: people
 * due at a time boundary, then back-fills. Exports run from the CLI with the operator's credentials.
 */
export class Segments extends Construct {
  readonly admin: NurtureFunction;
  readonly sweep: NurtureFunction;
  readonly sweepSchedule: Rule;

  constructor(scope: Construct, id: string, props: SegmentsProps) {
    super(scope, id);
    this.admin = props.functions.register(
      'segmentsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'segmentsAdmin',
        description: 'Admin API of segments: definitions, members, preview, back-fill progress',
        // A preview evaluates up to 20,000 profiles for up to 20 s (domain/preview.ts previewLimits): the CPU
        // of 1 GB, and API Gateway's 30 s integration limit.
        memorySize: 1024,
        timeout: Duration.seconds(29),
        logRetention: props.logRetention,
      })
        // Definitions and their back-fill jobs (`segdefs`, `segjobs`: list, conditional transactions).
        // Reads: member shard counters and items (Query, the bySegmentRank index), the ranking index a preview walks (byScore)
        // and profile items by BatchGetItem: `readWrite` grants Query on the table and its declared indexes.
        .bindTable(props.profiles, 'readWrite'),
    );

    this.sweep = props.functions.register(
      'segmentsSweep',
      new NurtureFunction(this, 'Sweep', {
        ...defaultRules,
        name: 'segmentsSweep',
        description: 'Every minute: segment memberships due at a time boundary, then open back-fills',
        logRetention: props.logRetention,
        // 40 s of back-fill work (functions/segments/domain/backfill.ts backfillBudgetMs) after the due people.
        timeout: Duration.seconds(60),
        memorySize: 512,
      })
        // Profiles (BatchGet, conditional Update), member items and counters (TransactWriteItems of Put,
        // Delete and Update), back-fill jobs (Put, Delete): DeleteItem is the only action beyond 'write'.
        .bindTable(props.profiles, 'read')
        .bindTable(props.profiles, 'write')
        .bindBucket(props.content, 'read', { prefix: rulesKeys.prefix })
        .bindBus(props.bus),
    );
    this.sweep.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:DeleteItem'], resources: [props.profiles.table.tableArn] }));
    this.sweepSchedule = new Rule(this, 'SweepSchedule', {
      description: 'Runs the segments sweep every minute',
      schedule: Schedule.rate(Duration.minutes(segmentsSweepMinutes)),
      // Idempotent (conditional writes, cursor-checked progress): a missed run is caught up by the next.
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 0 })],
    });
  }
}
