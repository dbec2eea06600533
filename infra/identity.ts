import { Duration } from 'aws-cdk-lib';
import { querySqlFiles } from '../functions/analytics/adapters/query-sql.js';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type DefinedBucket, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';
import { defaultRules, rulesKeys } from './scoring.js';

export interface IdentityProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly functions: FunctionRegistry;
}

/**
 * The admin read API over profiles and leads (GET /v1/admin/profiles/{id}, GET /v1/admin/leads), served
 * by functions/profiles/admin.ts. Its routes are `auth: 'admin'` in functions/profiles/routes.ts, so the
 * stack puts them behind the IAM authorizer: only SigV4-signed requests with execute-api:Invoke reach
 * the function. (It stays in this construct so its logical id, and the deployed function, do not change.)
 */
export class Identity extends Construct {
  readonly adminProfiles: NurtureFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.adminProfiles = props.functions.register(
      'adminProfiles',
      new NurtureFunction(this, 'AdminProfiles', {
        ...defaultRules,
        name: 'adminProfiles',
        description: 'Admin read API: a profile with its score breakdown and activity; hot leads by score',
        logRetention: props.logRetention,
        // Activity beyond the item's recent business events is an Athena query on the event lake
        // (infra/analytics.ts grants it): up to three spans of days, each a few seconds at most.
        timeout: Duration.seconds(29),
        files: [...defaultRules.files, ...querySqlFiles],
        lazyModules: ['@duckdb/node-api'],
      })
        // Point reads, identity lookups and queries on the ranking index; no writes.
        .bindTable(props.profiles, 'read')
        // The rules in force give the decay half-life and rule descriptions of the breakdown.
        .bindBucket(props.content, 'read', { prefix: rulesKeys.prefix }),
    );
  }
}
