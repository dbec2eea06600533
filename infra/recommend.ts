import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NurtureConfig } from './config.js';
import { type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface RecommendProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly functions: FunctionRegistry;
}

/**
 * Recommendations serving: the public `GET /v1/recommendations` and `GET /v1/personalize`, served by
 * functions/recommendations/recommend.ts. Read-only on the main table (GetItem, BatchGetItem, Query): the
 * models (infra/recommendations.ts) write the lists it reads.
 */
export class Recommend extends Construct {
  readonly fn: NurtureFunction;

  constructor(scope: Construct, id: string, props: RecommendProps) {
    super(scope, id);
    const { config } = props;
    this.fn = props.functions.register(
      'recommend',
      new NurtureFunction(this, 'Recommend', {
        name: 'recommend',
        description: 'Public recommendations and personalization reads (write key, CORS, cacheable)',
        logRetention: props.logRetention,
        environment: {
          WRITE_KEYS: config.writeKeys.join(','),
          ALLOWED_ORIGINS: config.allowedOrigins.join(','),
          CONTROL_SHARE: String(config.recommendationControlShare),
        },
      })
        // TopLists, products, identity links and profiles (projected: no PII is read), segment definitions.
        .bindTable(props.profiles, 'read'),
      {
        publicBecause:
          'Public read endpoints for the site (tracker): the recommend handler authenticates each request by its write key (Basic auth or the writeKey parameter, as collect does), and answers only product lists and the non-personal view of a visitor.',
      },
    );
  }
}
