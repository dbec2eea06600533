import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type DefinedBucket, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

/** Form definitions in the content bucket: the prefix and the source suffixes the upload check runs on. */
export const formKeys = { prefix: 'forms/', suffixes: ['.yaml', '.yml', '.json'] } as const;
/** Landing pages and their layouts (`pages/layouts/`): the prefix and the source suffix the check runs on. */
export const pageKeys = { prefix: 'pages/', suffixes: ['.liquid'] } as const;

export interface FormsAdminProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly content: DefinedBucket;
  readonly functions: FunctionRegistry;
  /** Base URL of the HTTP API (page previews link the form's action to it). */
  readonly apiUrl: string;
}

/**
 * The operator side of forms: the admin API (definitions, submissions, stats; functions/forms/admin.ts)
 * and the upload check of definitions under forms/ and pages under pages/ (functions/forms/content-check.ts), which writes each
 * report beside its source. The public submit path is infra/forms.ts.
 */
export class FormsAdmin extends Construct {
  readonly admin: NurtureFunction;
  readonly check: NurtureFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: FormsAdminProps) {
    super(scope, id);
    const { content, logRetention } = props;
    this.admin = props.functions.register(
      'formsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'formsAdmin',
        description: 'Admin API of forms and landing pages: definitions and pages (checked before stored), submissions, stats',
        logRetention,
        environment: { PUBLIC_API_URL: props.apiUrl },
      })
        // Submissions (Query fsub#) and daily counters (Query fstat#, pstat#): read only.
        .bindTable(props.profiles, 'read')
        .bindBucket(content, 'readWrite', { prefix: formKeys.prefix })
        .bindBucket(content, 'readWrite', { prefix: pageKeys.prefix }),
    );
    // DELETE removes a source and its report (and PUT a form source under another extension).
    this.admin.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [content.bucket.arnForObjects(`${formKeys.prefix}*`), content.bucket.arnForObjects(`${pageKeys.prefix}*`)],
      }),
    );

    this.failures = new Queue(this, 'Failures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the form upload check; an operator inspects and redrives it, so no further dead-letter queue applies.',
    });
    this.check = props.functions.register(
      'formsCheck',
      new NurtureFunction(this, 'Check', {
        name: 'formsCheck',
        description: 'Checks an uploaded form definition or landing page (or layout) and writes its report',
        logRetention,
        timeout: Duration.seconds(30),
        deadLetterQueue: this.failures,
        retryAttempts: 2,
      })
        .bindBucket(content, 'readWrite', { prefix: formKeys.prefix })
        // A page's check reads its layout and form, and an edited layout re-checks the pages using it.
        .bindBucket(content, 'readWrite', { prefix: pageKeys.prefix }),
    );
    // Reports (`.check.json`) also end in .json: the check skips them.
    for (const { prefix, suffixes } of [formKeys, pageKeys]) {
      for (const suffix of suffixes) {
        for (const event of [EventType.OBJECT_CREATED, EventType.OBJECT_REMOVED]) {
          content.bucket.addEventNotification(event, new LambdaDestination(this.check), { prefix, suffix });
        }
      }
    }
  }
}
