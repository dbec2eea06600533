import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface SegmentsProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly functions: FunctionRegistry;
}

/**
 * Segments: definitions (`segdefs` items of the main table), members pages and the preview of a draft,
 * served by functions/segments/admin.ts behind the admin routes' IAM authorizer. Broadcasts are not
 * deployed yet; exports run from the CLI with the operator's credentials.
 */
export class Segments extends Construct {
  readonly admin: NurtureFunction;

  constructor(scope: Construct, id: string, props: SegmentsProps) {
    super(scope, id);
    this.admin = props.functions.register(
      'segmentsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'segmentsAdmin',
        description: 'Admin API of segments: definitions, members, preview',
        // A preview evaluates up to 20,000 profiles for up to 20 s (domain/preview.ts previewLimits): the CPU
        // of 1 GB, and API Gateway's 30 s integration limit.
        memorySize: 1024,
        timeout: Duration.seconds(29),
        logRetention: props.logRetention,
      })
        // The definition items (`segdefs` / <id>): list, conditional put and delete. Reads: member shard
        // counters and items (Query, the bySegmentRank index), the ranking index a preview walks (byScore)
        // and profile items by BatchGetItem: `readWrite` grants Query on the table and its declared indexes.
        .bindTable(props.profiles, 'readWrite'),
    );
  }
}
