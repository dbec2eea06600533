import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { eventsStream } from '../functions/shared/resources.js';
import type { NurtureConfig } from './config.js';
import { type DefinedStream, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface IngestProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  /** Where collect writes identity links synchronously. */
  readonly profiles: DefinedTable;
  /** Collect is registered here; the stack adds the routes of every registered function to `api`. */
  readonly functions: FunctionRegistry;
}

/**
 * Stage throttle. The HTTP API account quota (10,000 req/s, burst 5,000) is shared by every API in the
 * region, and a write key is public by nature, so Nurture caps itself well below it: 1,000 req/s steady
 * stays within a new on-demand stream's write capacity (4,000 records/s) for batches of up to 4 events,
 * and a burst of 2,000 absorbs page-load spikes. Raise both if a site's real peak is higher.
 */
const throttle = { rateLimit: 1_000, burstLimit: 2_000 };

/**
 * Browsers cache a CORS preflight for at most 2 h (Chromium's cap), so a longer max-age buys nothing.
 * Beacons sent as text/plain need no preflight at all.
 */
const corsMaxAge = Duration.hours(2);

/**
 * The events stream, the collect function and the HTTP API (stage, CORS, throttle, access logs). The
 * routes, collect's and every other capability's, are added by the stack from functions/api/routes.ts.
 */
export class Ingest extends Construct {
  readonly events: DefinedStream;
  readonly collect: NurtureFunction;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const { config } = props;

    const provisioned = config.streamMode === 'provisioned';
    const stream = new Stream(this, eventsStream.id, {
      streamMode: provisioned ? StreamMode.PROVISIONED : StreamMode.ON_DEMAND,
      ...(provisioned ? { shardCount: config.shardCount } : {}),
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(eventsStream.retentionHours),
      // The stream holds at most a day of events on their way to the profiles, and bills by the hour:
      // tearing the stack down removes it (the table, the lasting record, is retained).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.events = { stream, def: eventsStream };

    this.collect = new NurtureFunction(this, 'Collect', {
      name: 'collect',
      description: 'Validates, authenticates and enqueues tracking events (Segment HTTP API)',
      logRetention: props.logRetention,
      environment: {
        WRITE_KEYS: config.writeKeys.join(','),
        ALLOWED_ORIGINS: config.allowedOrigins.join(','),
      },
    })
      .bindTable(props.profiles, 'write')
      .bindStream(this.events);
    props.functions.register('collect', this.collect, {
      publicBecause:
        'Public tracking endpoint for browsers and Segment SDKs: the collect handler authenticates each source by its write key (Basic auth or in the body, as Segment does); sendBeacon and pixel requests cannot carry the header an authorizer would need.',
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Nurture HTTP API: public tracking routes and IAM-authorized admin routes',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.allowedOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['content-type', 'authorization'],
        allowCredentials: false,
        maxAge: corsMaxAge,
      },
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: props.logRetention });
    // Declared explicitly (not createDefaultStage) because only HttpStage takes throttle and access logs.
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No $context.identity.sourceIp: Nurture never stores raw IP addresses, access logs included.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
          }),
        ),
      },
    });
  }
}
