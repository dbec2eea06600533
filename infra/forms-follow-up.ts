import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { followUpPattern } from '../functions/forms/domain/follow-up.js';
import { type DefinedBucket, type DefinedBus, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';
import type { Sending } from './sending.js';

/** Key prefix of form definitions and their check reports in the content bucket (functions/forms/domain/reports.ts). */
const formsPrefix = 'forms/';

export interface FormsFollowUpProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  /** The domain event bus: `Form Submitted` arrives on it, `lead.handoff` leaves on it. */
  readonly bus: DefinedBus;
  readonly sending: Sending;
  readonly functions: FunctionRegistry;
}

/**
 * What happens after a form submission: a rule on the bus (`Form Submitted` with `properties.followUp`,
 * published by the stream processor after it updated the profile) hands the event to formsFollowUp, which
 * sends the confirmation and double opt-in mails through the send use case in-process (Sending.grantSending,
 * as the broadcast page task does) and publishes the sales hand-off. EventBridge retries delivery, Lambda
 * retries a failed run twice, and what still fails waits in the follow-up's dead-letter queue (alarmed).
 */
export class FormsFollowUp extends Construct {
  readonly fn: NurtureFunction;
  readonly rule: Rule;
  readonly failures: Queue;
  readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: FormsFollowUpProps) {
    super(scope, id);
    this.failures = new Queue(this, 'Failures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the form follow-up (rule target and async invocations); an operator inspects and redrives it.',
    });
    this.fn = props.functions.register(
      'formsFollowUp',
      new NurtureFunction(this, 'Fn', {
        name: 'formsFollowUp',
        description: 'After a form submission: confirmation mail, double opt-in mail, lead hand-off',
        logRetention: props.logRetention,
        memorySize: 512,
        timeout: Duration.seconds(60),
        deadLetterQueue: this.failures,
        retryAttempts: 2,
      })
        // Send counters and records (send use case), submissions' marks (Get/Update); the send store's Query.
        .bindTable(props.profiles, 'readWrite')
        .bindBucket(props.content, 'read', { prefix: formsPrefix })
        .bindBus(props.bus),
    );
    props.sending.grantSending(this.fn);
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus.bus,
      description: 'Form submissions whose form asks for a confirmation mail, double opt-in or a sales hand-off',
      eventPattern: { source: followUpPattern.source, detailType: followUpPattern['detail-type'], detail: followUpPattern.detail },
      targets: [new LambdaFunction(this.fn, { deadLetterQueue: this.failures, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    this.failuresAlarm = new Alarm(this, 'FailuresWaiting', {
      alarmDescription: 'A form follow-up (confirmation mail, double opt-in mail or hand-off) failed after retries: the event waits in the follow-up failure queue.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.IGNORE,
    });
  }
}

/** Adds the follow-up to a stack (the Forms construct, infra/forms.ts, calls this). */
export function addFollowUp(scope: Construct, props: FormsFollowUpProps): FormsFollowUp {
  return new FormsFollowUp(scope, 'FollowUp', props);
}
