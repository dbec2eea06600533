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
 * Segments: definitions (`segdefs` items of the main table) served by functions/segments/admin.ts behind
 * the admin routes' IAM authorizer. Membership, broadcasts and exports are not deployed yet.
 */
export class Segments extends Construct {
  readonly admin: NurtureFunction;

  constructor(scope: Construct, id: string, props: SegmentsProps) {
    super(scope, id);
    this.admin = props.functions.register(
      'segmentsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'segmentsAdmin',
        description: 'Admin API of segments: definitions',
        logRetention: props.logRetention,
      })
        // The definition items (`segdefs` / <id>): list, conditional put and delete.
        .bindTable(props.profiles, 'readWrite'),
    );
  }
}
