import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s3Templates from '../../functions/sending/adapters/s3-templates.js';
import { claimLeaseMs } from '../../functions/sending/domain/send.js';
import { templateFile } from '../../functions/sending/domain/check.js';
import { sendTimeout, templateKeys } from '../../infra/sending.js';
import type { NurtureStack } from '../../infra/stack.js';
import { deployedKeyFor } from '../helpers/route-match.js';
import { actionsOf, baseContext, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

type Resource = { Type: string; Properties: Record<string, any> };

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack({
    'nurture:capPerDay': 2,
    'nurture:scenarioCaps': { 'cart-reminder': { perDay: 1 } },
    'nurture:sesSandboxRecipients': 'tester@inbox.example.org,qa.example.net',
  }));
}, synthTimeoutMs);
afterAll(removeOutdirs);

function envOf(fn: IConstruct): Record<string, unknown> {
  return (template.findResources('AWS::Lambda::Function') as Record<string, Resource>)[logicalIdOf(fn)]!.Properties.Environment.Variables;
}

describe('send function', () => {
  it('gets the caps, quiet hours, time zone, sender and configuration set from cdk.json', () => {
    const env = envOf(stack.sending.send);
    expect(JSON.parse(env.SEND_CAPS as string)).toEqual({
      marketing: { perDay: 2, perWeek: 3 },
      transactional: { perDay: 20, perWeek: 100 },
      scenarios: { 'cart-reminder': { perDay: 1 } },
    });
    expect(env).toMatchObject({
      SENDER_ADDRESS: baseContext['nurture:senderAddress'],
      QUIET_HOURS: '21:00-08:00',
      DEFAULT_TIME_ZONE: 'UTC',
      CONSENT_MODE: 'opt-out',
      SES_CONFIGURATION_SET: ref(stack.sending.configurationSet),
      LINK_SECRET_ARN: ref(stack.sending.linkSecret),
      TABLE_NAME: ref(stack.profiles.main.table),
      CONTENT_BUCKET: ref(stack.content.content.bucket),
    });
    expect(JSON.stringify(env.PUBLIC_API_URL)).toContain(logicalIdOf(stack.ingest.api));
  });

  it('times out well before a claim’s lease ends, so a live call is never taken for a dead one', () => {
    expect(sendTimeout.toMilliseconds()).toBeLessThan(claimLeaseMs / 2);
  });

  it('may send mail only from the configured address, through its identity and configuration set', () => {
    const ses = roleStatements(template, stack.sending.send).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['ses:SendEmail']);
    const resources = JSON.stringify(resourcesOf(ses[0]!));
    expect(resources).toContain(':identity/mail.example.com');
    expect(resources).toContain(':configuration-set/');
    // Sandbox recipients verified outside the sender's identity (nurture:sesSandboxRecipients).
    expect(resources).toContain(':identity/tester@inbox.example.org');
    expect(resources).toContain(':identity/qa.example.net');
    expect(resources).not.toContain('*');
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': baseContext['nurture:senderAddress'] } });
    // No other function may send mail.
    for (const fn of [stack.sending.mailLinks, stack.sending.admin, stack.sending.sesEvents, stack.sending.templateCheck, stack.ingest.collect]) {
      expect(roleStatements(template, fn).flatMap(actionsOf).some((a) => a.startsWith('ses:'))).toBe(false);
    }
  });

  it('reads templates only, and uses single-item reads and writes on the table: no query, scan or delete', () => {
    const statements = roleStatements(template, stack.sending.send);
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(s3)).toContain('/templates/*');
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:'))).flatMap(actionsOf);
    expect(dynamo.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap(resourcesOf)).toEqual([ref(stack.sending.linkSecret)]);
  });

  it('alarms when sends keep failing', () => {
    const alarm = (template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)[logicalIdOf(stack.sending.sendErrorsAlarm)]!;
    expect(alarm.Properties).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 5 });
    expect(JSON.stringify(alarm.Properties.Dimensions)).toContain(logicalIdOf(stack.sending.send));
  });
});

describe('SES feedback', () => {
  it('publishes bounces and complaints of the configuration set to the default event bus', () => {
    const destination = Object.values(template.findResources('AWS::SES::ConfigurationSetEventDestination'))[0] as Resource;
    expect(destination.Properties.ConfigurationSetName).toEqual(ref(stack.sending.configurationSet));
    expect(destination.Properties.EventDestination).toMatchObject({ Enabled: true, MatchingEventTypes: ['bounce', 'complaint'] });
    expect(JSON.stringify(destination.Properties.EventDestination.EventBridgeDestination.EventBusArn)).toContain(':event-bus/default');
  });

  it('routes only this configuration set’s bounces and complaints to the suppressing function, with a dead-letter queue', () => {
    const rule = (template.findResources('AWS::Events::Rule') as Record<string, Resource>)[logicalIdOf(stack.sending.feedbackRule)]!;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': [ref(stack.sending.configurationSet)] } } },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt(stack.sending.sesEvents),
        DeadLetterConfig: { Arn: getAtt(stack.sending.failures) },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
      }),
    ]);
  });

  it('keeps what could not be processed in an encrypted, TLS-only queue and alarms on it', () => {
    const queue = (template.findResources('AWS::SQS::Queue') as Record<string, Resource>)[logicalIdOf(stack.sending.failures)]!;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const alarm = (template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)[logicalIdOf(stack.sending.failuresAlarm)]!;
    expect(alarm.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });
});

describe('template check', () => {
  it('uses the key layout the runtime reads', () => {
    expect(templateKeys.prefix).toBe(s3Templates.templatePrefix);
    for (const suffix of templateKeys.suffixes) expect(templateFile.test(`welcome${suffix}`)).toBe(true);
    expect(s3Templates.checkKey('welcome').endsWith('.liquid')).toBe(false);
  });

  it('runs on every template created or deleted under templates/, never on its own reports', () => {
    const notifications = Object.values(template.findResources('Custom::S3BucketNotifications'))[0] as Resource;
    const mine = (notifications.Properties.NotificationConfiguration.LambdaFunctionConfigurations as Record<string, any>[]).filter(
      (c) => JSON.stringify(c.LambdaFunctionArn) === JSON.stringify(getAtt(stack.sending.templateCheck)),
    );
    const seen = mine.map((c) => `${c.Events[0]} ${c.Filter.Key.FilterRules.map((r: { Value: string }) => r.Value).sort().join(' ')}`);
    expect(seen.sort()).toEqual(
      [
        's3:ObjectCreated:* .liquid templates/',
        's3:ObjectCreated:* .mjml templates/',
        's3:ObjectRemoved:* .liquid templates/',
        's3:ObjectRemoved:* .mjml templates/',
      ].sort(),
    );
  });

  it('writes only under templates/ and has a dead-letter queue for failed invocations', () => {
    const s3 = roleStatements(template, stack.sending.templateCheck).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    for (const s of s3) expect(JSON.stringify(s.Resource)).toMatch(/templates\/\*|"Arn"\]\}$/);
    const fn = (template.findResources('AWS::Lambda::Function') as Record<string, Resource>)[logicalIdOf(stack.sending.templateCheck)]!;
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(stack.sending.failures) });
  });
});

describe('mail links and operator API', () => {
  it('serves the public link routes without an authorizer and the operator routes behind IAM', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>);
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, r.Properties]));
    for (const key of ['GET /v1/t/o/{token}', 'GET /v1/t/c/{token}', 'GET /v1/u/{token}', 'POST /v1/u/{token}', 'GET /v1/v/{token}']) {
      expect(byKey.get(key)?.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    for (const key of ['GET /v1/admin/suppressions', 'POST /v1/admin/suppressions', 'DELETE /v1/admin/suppressions/{email}', 'POST /v1/admin/profiles/{id}/consent']) {
      const [method, path] = key.split(' ') as [string, string];
      expect(byKey.get(deployedKeyFor({ method, path }, byKey.keys())!)?.AuthorizationType).toBe('AWS_IAM');
    }
  });

  it('lets the link function put email events on the stream and read the link secret, nothing of SES', () => {
    const statements = roleStatements(template, stack.sending.mailLinks);
    expect(statements.flatMap(actionsOf)).toContain('kinesis:PutRecords');
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:'))).flatMap(resourcesOf)).toEqual([
      ref(stack.sending.linkSecret),
    ]);
  });

  it('keeps the link secret when the stack is deleted, so delivered links keep working', () => {
    const secret = template.findResources('AWS::SecretsManager::Secret')[logicalIdOf(stack.sending.linkSecret)] as { DeletionPolicy?: string };
    expect(secret.DeletionPolicy).toBe('Retain');
  });
});
