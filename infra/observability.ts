import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { emittedMetrics, type MetricName, type MetricService } from '../functions/shared/metric-names.js';
import { metricsNamespace } from '../functions/shared/observability.js';

/** Alarm thresholds (the numbers operators most often ask about). */
export const thresholds = {
  /** Requests answered 503 (events not stored) in 5 minutes. */
  storeFailures: 1,
  /** API 5xx answers in 5 minutes. */
  api5xx: 10,
  /** Events the processor could not apply and set aside (each is one person's event lost until replayed). */
  eventsSetAside: 1,
  /** SES account reputation: AWS reviews accounts above 5% bounces or 0.1% complaints; warn at half. */
  bounceRate: 0.025,
  complaintRate: 0.0005,
} as const;

export interface ObservabilityProps {
  readonly api: HttpApi;
  readonly process: IFunction;
  readonly stateMachines: readonly StateMachine[];
}

const five = Duration.minutes(5);
// Graph metrics carry a label; alarm metrics none (a label turns an alarm into a metric-math alarm).
// Typed with the metric catalogue: the dashboard can only name what a function publishes.
const nurture = <S extends MetricService>(service: S, metricName: MetricName<S>, label?: string) =>
  new Metric({ namespace: metricsNamespace, metricName, dimensionsMap: { service }, statistic: 'Sum', period: five, ...(label ? { label } : {}) });

/**
 * One CloudWatch dashboard for the whole pipeline (ingest → scoring → scenarios → sending) and the
 * alarms that are not owned by a capability construct.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const apiMetric = (metricName: string, label?: string) =>
      new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiId: props.api.apiId }, statistic: 'Sum', period: five, ...(label ? { label } : {}) });
    const states = (metricName: string): IMetric =>
      props.stateMachines.length === 0
        ? new MathExpression({ expression: '0', period: five, label: metricName })
        : new MathExpression({
            // Ids must be unique across one graph's expressions.
            expression: props.stateMachines.map((_, i) => `${metricName.toLowerCase()}${i}`).join(' + '),
            usingMetrics: Object.fromEntries(
              props.stateMachines.map((sm, i) => [`${metricName.toLowerCase()}${i}`, sm.metric(metricName, { statistic: 'Sum', period: five })]),
            ),
            period: five,
            label: metricName,
          });
    // Suppressed mail is counted per cause (bounce, complaint, manual): the graph shows their sum.
    const suppressed = emittedMetrics.send.filter((m) => m.startsWith('EmailsSkipped_suppressed-'));
    const suppressedSum = new MathExpression({
      expression: suppressed.map((_, i) => `FILL(suppressed${i}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(suppressed.map((m, i) => [`suppressed${i}`, nurture('send', m)])),
      period: five,
      label: 'suppressed',
    });
    const ses = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: '# Nurture\nIngest → scoring → scenarios → sending. Counts per 5 minutes.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Ingest: events accepted and rejected',
        left: [nurture('collect', 'EventsAccepted', 'events accepted')],
        right: [nurture('collect', 'RequestsRejected', 'requests refused (4xx)'), nurture('collect', 'MessagesRejected', 'batch messages rejected'), nurture('collect', 'StoreFailures', 'not stored (503)')],
        width: 12,
      }),
      new GraphWidget({
        title: 'HTTP API',
        left: [apiMetric('Count', 'requests')],
        right: [apiMetric('4xx', '4xx'), apiMetric('5xx', '5xx')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream processor',
        left: [props.process.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1), label: 'iterator age (ms)' })],
        right: [nurture('process', 'ProfileUpdateFailures', 'profile update failures'), nurture('process', 'EventsSetAside', 'events set aside'), props.process.metricErrors({ period: five, label: 'invocation errors' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Scoring and lead stages',
        left: [nurture('process', 'EventsScored', 'events scored'), nurture('process', 'BotEventsSkipped', 'bot events skipped')],
        right: [nurture('process', 'LeadsEntered_mql', 'new MQLs'), nurture('process', 'LeadsEntered_sql', 'new SQLs'), nurture('process', 'LeadsEntered_customer', 'new customers'), nurture('sweep', 'LeadsMadeDormant', 'became dormant')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Scenarios (all state machines)',
        left: [states('ExecutionsStarted'), states('ExecutionsSucceeded')],
        right: [states('ExecutionsFailed'), states('ExecutionsTimedOut'), states('ExecutionsAborted')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Email',
        left: [nurture('send', 'EmailsSent', 'sent'), nurture('send', 'EmailsSkipped_cap-reached', 'skipped by cap'), nurture('send', 'EmailsDeferred', 'deferred'), suppressedSum],
        right: [nurture('sesEvents', 'SesFeedback_Bounce', 'bounces'), nurture('sesEvents', 'SesFeedback_Complaint', 'complaints'), nurture('send', 'SendErrors', 'send errors')],
        width: 12,
      }),
    );

    const alarm = (id: string, metric: IMetric, threshold: number, description: string) => {
      const a = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      this.alarms.push(a);
      return a;
    };
    alarm('StoreFailures', nurture('collect', 'StoreFailures'), thresholds.storeFailures, 'Tracking requests answered 503: events could not be written to Kinesis (clients retry).');
    alarm('EventsSetAside', nurture('process', 'EventsSetAside'), thresholds.eventsSetAside, 'The stream processor could not apply an event and set it aside: `npm run nurture -- scoring poison list`, fix the cause, then `… poison replay`.');
    alarm('Api5xx', apiMetric('5xx'), thresholds.api5xx, 'The HTTP API answers 5xx: a function fails or is throttled.');
    alarm('SesBounceRate', ses('Reputation.BounceRate'), thresholds.bounceRate, 'SES bounce rate at half of the level where AWS reviews the account: clean the lists.');
    alarm('SesComplaintRate', ses('Reputation.ComplaintRate'), thresholds.complaintRate, 'SES complaint rate at half of the level where AWS reviews the account.');
  }
}
