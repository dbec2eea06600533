import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rulesSource from '../../functions/scoring/adapters/rules-source.js';
import { contentBucket, eventBus, eventsStream, mainTable } from '../../functions/shared/resources.js';
import { iteratorAgeAlarmMs, rulesKeys } from '../../infra/scoring.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

type Resource = { Type: string; Properties: Record<string, any> };

function resource(construct: Parameters<typeof logicalIdOf>[0]): Resource {
  const found = template.toJSON().Resources[logicalIdOf(construct)] as Resource | undefined;
  if (!found) throw new Error(`no resource for ${construct.node.path}`);
  return found;
}

function onlyOfType(type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]!;
}

const tableArn = () => getAtt(stack.profiles.main.table);
const busArn = () => getAtt(stack.scoring.bus.bus);
const bucketArn = () => getAtt(stack.content.content.bucket);
const objectArn = (key: string) => ({ 'Fn::Join': ['', [bucketArn(), `/${key}`]] });
const dynamoActions = (fn: Parameters<typeof roleStatements>[1]) =>
  roleStatements(template, fn)
    .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
    .flatMap(actionsOf);

describe('domain event bus', () => {
  it('is a custom bus named after the stack, whose name the stack prints', () => {
    expect(onlyOfType('AWS::Events::EventBus').Properties).toEqual({ Name: 'nurture' });
    template.hasOutput('EventBusName', { Value: ref(stack.scoring.bus.bus) });
  });
});

describe('stream processor', () => {
  it('reads the events stream in batches of 100 or 5 s, from the oldest record, one batch per shard at a time', () => {
    const mapping = onlyOfType('AWS::Lambda::EventSourceMapping').Properties;
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt(stack.ingest.events.stream),
      FunctionName: ref(stack.scoring.process),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
    });
  });

  it('never lets a poison record stall its shard: partial failures, bisection, bounded retries, on-failure queue', () => {
    const mapping = onlyOfType('AWS::Lambda::EventSourceMapping').Properties;
    expect(mapping).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: getAtt(stack.scoring.failures) } },
    });
    expect(mapping.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(mapping.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    // Given up on while the records are still in the stream, with time left to replay them.
    expect(mapping.MaximumRecordAgeInSeconds).toBeGreaterThan(0);
    expect(mapping.MaximumRecordAgeInSeconds).toBeLessThanOrEqual((eventsStream.retentionHours * 3600) / 2);
  });

  it('keeps failed batch ranges in an encrypted, TLS-only queue for the longest SQS retention', () => {
    expect(resource(stack.scoring.failures).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(stack.scoring.failures)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasOutput('ProcessFailuresQueueUrl', { Value: ref(stack.scoring.failures) });
  });

  it('has 512 MB, a 60 s timeout and the table, bucket and bus names it parses at cold start', () => {
    expect(resource(stack.scoring.process).Properties).toMatchObject({
      MemorySize: 512,
      Timeout: 60,
      Environment: {
        Variables: {
          [mainTable.envVar]: ref(stack.profiles.main.table),
          [contentBucket.envVar]: ref(stack.content.content.bucket),
          [eventBus.envVar]: ref(stack.scoring.bus.bus),
        },
      },
    });
  });

  it('alarms when the iterator age of the process function stays above a minute for 5 minutes', () => {
    expect(resource(stack.scoring.iteratorAgeAlarm).Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.scoring.process) }],
      Statistic: 'Maximum',
      Threshold: iteratorAgeAlarmMs,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
    });
    expect(iteratorAgeAlarmMs).toBe(60_000);
  });

  it('alarms as soon as a failed batch waits in the on-failure queue, and stays in alarm while it does', () => {
    expect(resource(stack.scoring.failuresAlarm).Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(stack.scoring.failures, 'QueueName') }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('may put events on the domain bus only, and nothing else on EventBridge', () => {
    const events = roleStatements(template, stack.scoring.process).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('events:')),
    );
    expect(events).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn() })]);
  });

  it('may get, put and update single items, and query and delete (resuming waits), on the table only: no scan, index or batch write', () => {
    const statements = roleStatements(template, stack.scoring.process).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(statements.flatMap(actionsOf).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:DeleteItem'].sort(),
    );
    for (const statement of statements) expect(resourcesOf(statement)).toEqual([tableArn()]);
    // resumeWaits: exactly Query and DeleteItem, granted together for that one purpose.
    expect(statements.find((s) => actionsOf(s).includes('dynamodb:Query'))).toMatchObject({
      Action: ['dynamodb:Query', 'dynamodb:DeleteItem'],
      Resource: tableArn(),
    });
  });

  it('may only read the rules from the content bucket', () => {
    const s3 = roleStatements(template, stack.scoring.process).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(s3.find((s) => actionsOf(s).includes('s3:GetObject'))?.Resource).toEqual(objectArn('rules/*'));
  });

  it('may send to its failure queue and read its stream, no other queue or stream', () => {
    const statements = roleStatements(template, stack.scoring.process);
    for (const s of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))) {
      expect(resourcesOf(s)).toEqual([getAtt(stack.scoring.failures)]);
    }
    const kinesis = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kinesis:')));
    expect(kinesis.flatMap(actionsOf)).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']));
    for (const s of kinesis) expect(resourcesOf(s)).toEqual([getAtt(stack.ingest.events.stream)]);
  });
});

describe('rules upload check', () => {
  it('prints the content bucket name, where operators upload the rules', () => {
    template.hasOutput('ContentBucketName', { Value: ref(stack.content.content.bucket) });
  });

  it('uses the keys the runtime reads and writes', () => {
    expect(rulesKeys.upload).toBe(rulesSource.rulesKey);
    expect(rulesKeys.active).toBe(rulesSource.activeRulesKey);
    expect(rulesKeys.check).toBe(rulesSource.rulesCheckKey);
    for (const key of [rulesKeys.upload, rulesKeys.active, rulesKeys.check]) expect(key.startsWith(rulesKeys.prefix)).toBe(true);
  });

  it('runs on every object created at rules/scoring.yaml in the content bucket, and nowhere else', () => {
    const notifications = onlyOfType('Custom::S3BucketNotifications').Properties;
    expect(notifications.BucketName).toEqual(ref(stack.content.content.bucket));
    // Other capabilities (email templates) add their own notifications on other prefixes.
    const mine = (notifications.NotificationConfiguration.LambdaFunctionConfigurations as { LambdaFunctionArn: unknown }[]).filter(
      (c) => JSON.stringify(c.LambdaFunctionArn) === JSON.stringify(getAtt(stack.scoring.rulesCheck)),
    );
    expect({ LambdaFunctionConfigurations: mine }).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: expect.arrayContaining([
                { Name: 'prefix', Value: 'rules/scoring.yaml' },
                { Name: 'suffix', Value: 'rules/scoring.yaml' },
              ]),
            },
          },
          LambdaFunctionArn: getAtt(stack.scoring.rulesCheck),
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(stack.scoring.rulesCheck),
      Principal: 's3.amazonaws.com',
      SourceArn: bucketArn(),
    });
  });

  it('reads under rules/ and writes only the active copy and the verdict, never the upload that triggers it', () => {
    const s3 = roleStatements(template, stack.scoring.rulesCheck).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const puts = s3.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(puts.flatMap(resourcesOf)).toEqual([objectArn(rulesKeys.active), objectArn(rulesKeys.check)]);
    expect(s3.find((s) => actionsOf(s).includes('s3:GetObject'))?.Resource).toEqual(objectArn('rules/*'));
    expect(s3.flatMap(actionsOf).every((a) => ['s3:GetObject', 's3:ListBucket', 's3:PutObject'].includes(a))).toBe(true);
    expect(dynamoActions(stack.scoring.rulesCheck)).toEqual([]);
  });
});

describe('dormancy sweep', () => {
  it('runs once a day at 03:00 UTC on an EventBridge schedule', () => {
    const rule = resource(stack.scoring.sweepSchedule).Properties;
    // cron(minutes hours day-of-month month day-of-week year): every day, every month, every year.
    expect(rule.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: getAtt(stack.scoring.sweep) })]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: getAtt(stack.scoring.sweep),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(stack.scoring.sweepSchedule),
    });
  });

  it('may query the ranking index and update items, but not scan, delete or batch write', () => {
    const statements = roleStatements(template, stack.scoring.sweep).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    const query = statements.find((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(resourcesOf(query!)).toContainEqual({ 'Fn::Join': ['', [tableArn(), '/index/byScore']] });
    expect(resourcesOf(query!)).toContainEqual({ 'Fn::Join': ['', [tableArn(), '/index/byLifecycleDue']] });
    const actions = statements.flatMap(actionsOf);
    expect(actions).toContain('dynamodb:UpdateItem');
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(actions).not.toContain(forbidden);
    }
  });

  it('may put events on the domain bus and read the rules', () => {
    const statements = roleStatements(template, stack.scoring.sweep);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'events:PutEvents', Resource: busArn() }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:GetObject', Resource: objectArn('rules/*') }));
    expect(statements.flatMap(actionsOf)).not.toContain('s3:PutObject');
  });
});

describe('scoring functions', () => {
  it('have no wildcard action, and a wildcard resource only for X-Ray, objects under rules/ or the scenario machines', () => {
    for (const fn of [stack.scoring.process, stack.scoring.rulesCheck, stack.scoring.sweep]) {
      const statements = roleStatements(template, fn);
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(actionsOf(statement).every((a) => !a.includes('*'))).toBe(true);
        for (const resource of resourcesOf(statement)) {
          const text = JSON.stringify(resource);
          if (!text.includes('*')) continue;
          const allowed =
            actionsOf(statement).every((a) => a.startsWith('xray:')) ||
            text.endsWith('"/rules/*"]]}') ||
            // Resuming waiting executions: the stack's scenario machines, by name prefix.
            (actionsOf(statement).every((a) => a.startsWith('states:SendTask')) && text.endsWith(':stateMachine:Nurture-scenario-*"]]}'));
          expect(allowed, `${fn.node.path}: ${JSON.stringify(statement)}`).toBe(true);
        }
      }
    }
  });
});
