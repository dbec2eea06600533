import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NurtureConfig } from './config.js';
import { type DefinedStream, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface ChannelsProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly events: DefinedStream;
  readonly functions: FunctionRegistry;
}

/**
 * Channels (広告媒体): the media registry, ad costs and offline touches, served by
 * functions/channels/admin.ts behind the admin routes' IAM authorizer.
 */
export class Channels extends Construct {
  readonly admin: NurtureFunction;

  constructor(scope: Construct, id: string, props: ChannelsProps) {
    super(scope, id);
    this.admin = props.functions.register(
      'channelsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'channelsAdmin',
        description: 'Admin API of channels: media registry, ad costs, offline touches',
        logRetention: props.logRetention,
        // An offline import of up to 500 rows (channels/domain/offline.ts) within API Gateway's 30 s.
        timeout: Duration.seconds(29),
      })
        // The registry item, cost items, and offline imports: identity links, consent, the import ledger.
        .bindTable(props.profiles, 'readWrite')
        // Offline touches go on the events stream as collect's events do (the processor scores them).
        .bindStream(props.events)
        // Ad costs are imported and read in this currency only (functions/channels/domain/cost-csv.ts).
        .addEnvironment('CURRENCY', props.config.currency),
    );
  }
}
