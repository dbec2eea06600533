import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { NurtureConfig } from './config.js';
import {
  type DefinedBucket,
  type DefinedStream,
  type DefinedTable,
  NurtureFunction,
} from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/**
 * Key layout of templates in the content bucket, as functions/sending/adapters/s3-templates.ts reads and
 * writes it (repeated because infra/ imports no runtime code; test/infra/sending.test.ts checks they agree).
 */
export const templateKeys = { prefix: 'templates/', suffixes: ['.liquid', '.mjml'] } as const;

/** SENDER_NAME / SENDER_POSTAL_ADDRESS of the functions that render mail (functions/sending/adapters/env.ts). */
function senderIdentityEnv(config: NurtureConfig): Record<string, string> {
  return {
    ...(config.senderName ? { SENDER_NAME: config.senderName } : {}),
    ...(config.senderPostalAddress ? { SENDER_POSTAL_ADDRESS: config.senderPostalAddress } : {}),
  };
}

/** The send function's timeout; the domain's claim lease (120 s) must stay longer than this. */
export const sendTimeout = Duration.seconds(30);

export interface SendingProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly events: DefinedStream;
  /** Base URL of the HTTP API, for unsubscribe and tracked links. */
  readonly apiUrl: string;
  readonly functions: FunctionRegistry;
}

/**
 * Email: the send function (the scenarios' send step), the template upload check, the public mail links
 * (open pixel, click redirect, unsubscribe, view in browser), the operator API (suppressions, consent,
 * template reports), and SES feedback: a configuration set publishing bounces and complaints to the
 * default event bus, where a rule hands them to the function that suppresses.
 */
export class Sending extends Construct {
  readonly send: NurtureFunction;
  readonly templateCheck: NurtureFunction;
  readonly mailLinks: NurtureFunction;
  readonly admin: NurtureFunction;
  readonly sesEvents: NurtureFunction;
  readonly configurationSet: ConfigurationSet;
  readonly linkSecret: Secret;
  readonly failures: Queue;
  readonly feedbackRule: Rule;
  readonly sendErrorsAlarm: Alarm;
  readonly failuresAlarm: Alarm;
  /** The send function's environment, SES statement and link secret, for another function that runs the send use case in-process. */
  private readonly sendingEnv: Record<string, string>;
  private readonly sesSendStatement: iam.PolicyStatement;
  private readonly content: DefinedBucket;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    const { config, logRetention, profiles, content, events, functions } = props;
    const stack = Stack.of(this);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
    // SES publishes to the account's default bus only; the rule below filters on this configuration set.
    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.eventBus(defaultBus),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // HMAC key of link tokens. Kept on stack deletion: links in mail already sent must keep verifying.
    this.linkSecret = new Secret(this, 'LinkSecret', {
      description: 'HMAC key of Nurture email link tokens (unsubscribe, tracked clicks, open pixel)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating this HMAC key would invalidate every unsubscribe and tracked link in mail already delivered, and unsubscribe links must keep working; it is never sent to clients.',
    });

    // Where EventBridge puts SES feedback it could not deliver, and S3 template-check invocations that failed.
    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the SES feedback rule and of the template check; an operator inspects and redrives it, so no further dead-letter queue applies.',
    });

    const identity = config.sesIdentity ?? config.senderAddress.slice(config.senderAddress.indexOf('@') + 1);
    const sendingEnv: Record<string, string> = {
      SENDER_ADDRESS: config.senderAddress,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      SEND_CAPS: JSON.stringify({
        marketing: { perDay: config.capPerDay, perWeek: config.capPerWeek },
        transactional: config.transactionalCaps,
        scenarios: config.scenarioCaps,
      }),
      QUIET_HOURS: config.quietHours,
      DEFAULT_TIME_ZONE: config.defaultTimeZone,
      CONSENT_MODE: config.consentMode,
      PUBLIC_API_URL: props.apiUrl,
      LINK_SECRET_ARN: this.linkSecret.secretArn,
      // Recommendations in mail hold out the same share as serving (functions/recommendations/mail.ts).
      CONTROL_SHARE: String(config.recommendationControlShare),
      ...senderIdentityEnv(config),
    };
    if (!config.senderName || !config.senderPostalAddress) {
      Annotations.of(this).addWarningV2(
        'nurture:senderIdentity',
        'nurture:senderName and nurture:senderPostalAddress are not both set: marketing mail will show an empty sender name or postal address, which Japan\'s 特定電子メール法 and GDPR require.',
      );
    }

    this.send = functions.register(
      'send',
      new NurtureFunction(this, 'Send', {
        name: 'send',
        description: 'Sends one email: consent and suppression, quiet hours, the send counter, SES v2',
        logRetention,
        memorySize: 512,
        timeout: sendTimeout,
        environment: sendingEnv,
      })
        .bindTable(profiles, 'write')
        .bindBucket(content, 'read', { prefix: templateKeys.prefix }),
    );
    this.linkSecret.grantRead(this.send);
    this.sendingEnv = sendingEnv;
    this.content = content;
    // SES v2 SendEmail authorizes against both the identity and the configuration set (in the sandbox also
    // against each recipient's identity: nurture:sesSandboxRecipients); only the configured From address
    // is allowed.
    const identityArn = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    this.sesSendStatement = new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        identityArn(identity),
        stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ...config.sesSandboxRecipients.filter((r) => r !== identity).map(identityArn),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': config.senderAddress } },
    });
    this.send.addToRolePolicy(this.sesSendStatement);

    this.templateCheck = functions.register(
      'templateCheck',
      new NurtureFunction(this, 'TemplateCheck', {
        name: 'templateCheck',
        description: 'Checks an uploaded email template (front matter, MJML, Liquid, preview) and writes its report',
        logRetention,
        memorySize: 1024,
        timeout: Duration.seconds(60),
        deadLetterQueue: this.failures,
        retryAttempts: 2,
        // MJML's minifier finds its config with cosmiconfig, which requires TypeScript (3.5 MB) only for .ts files.
        lazyModules: ['typescript'],
      }).bindBucket(content, 'readWrite', { prefix: templateKeys.prefix }),
    );
    for (const suffix of templateKeys.suffixes) {
      for (const event of [EventType.OBJECT_CREATED, EventType.OBJECT_REMOVED]) {
        content.bucket.addEventNotification(event, new LambdaDestination(this.templateCheck), { prefix: templateKeys.prefix, suffix });
      }
    }

    this.mailLinks = functions.register(
      'mailLinks',
      new NurtureFunction(this, 'MailLinks', {
        name: 'mailLinks',
        description: 'Mail links: open pixel, click redirect, unsubscribe (RFC 8058 one-click), view in browser',
        logRetention,
        // The sender identity: view in browser renders a marketing mail's footer as the send did.
        environment: { PUBLIC_API_URL: props.apiUrl, LINK_SECRET_ARN: this.linkSecret.secretArn, ...senderIdentityEnv(config) },
      })
        .bindTable(profiles, 'write')
        .bindStream(events)
        .bindBucket(content, 'read', { prefix: templateKeys.prefix }),
      {
        publicBecause:
          'Links in delivered email are opened by mail clients and browsers without credentials; each request carries an HMAC-signed token that the handler verifies, and a tampered token is refused.',
      },
    );
    this.linkSecret.grantRead(this.mailLinks);

    this.admin = functions.register(
      'sendingAdmin',
      new NurtureFunction(this, 'SendingAdmin', {
        name: 'sendingAdmin',
        description: 'Operator API of sending: suppressions (list, add, lift), consent, template check reports',
        logRetention,
      })
        // Query (suppression list on the index) and DeleteItem (lifting a suppression).
        .bindTable(profiles, 'readWrite')
        .bindBucket(content, 'read', { prefix: templateKeys.prefix }),
    );

    this.sesEvents = functions.register(
      'sesEvents',
      new NurtureFunction(this, 'SesEvents', {
        name: 'sesEvents',
        description: 'SES bounces and complaints: suppresses the address, revokes consent on complaints',
        logRetention,
      }).bindTable(profiles, 'write'),
    );
    this.feedbackRule = new Rule(this, 'FeedbackRule', {
      eventBus: defaultBus,
      description: 'SES bounces and complaints of the Nurture configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complaint Received'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [
        new LambdaFunction(this.sesEvents, { deadLetterQueue: this.failures, retryAttempts: 8, maxEventAge: Duration.hours(24) }),
      ],
    });

    this.sendErrorsAlarm = new Alarm(this, 'SendErrors', {
      alarmDescription:
        'The send function failed 5 or more times in 5 minutes: a broken template (TemplateError), SES refusing for now, or a fault. Its logs and the scenarios’ execution history name the error.',
      metric: this.send.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(5) }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failuresAlarm = new Alarm(this, 'FailuresWaiting', {
      alarmDescription: 'SES feedback or a template check could not be processed: the event waits in the sending failure queue.',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.IGNORE,
    });
  }

  /**
   * Lets `fn` run the send use case in-process (segment email's page task): the send function's
   * environment, SES SendEmail on the same identity and From address, templates, the link secret.
   * The table grant is the caller's (it binds the table with the access it needs).
   */
  grantSending(fn: NurtureFunction): void {
    for (const [name, value] of Object.entries(this.sendingEnv)) fn.addEnvironment(name, value);
    fn.addToRolePolicy(iam.PolicyStatement.fromJson(this.sesSendStatement.toStatementJson()));
    fn.bindBucket(this.content, 'read', { prefix: templateKeys.prefix });
    this.linkSecret.grantRead(fn);
  }
}
