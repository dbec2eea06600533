import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendationSqlFiles } from '../../functions/recommendations/adapters/sql-files.js';
import { catalogUploadKeys } from '../../functions/recommendations/domain/catalog-upload.js';
import { catalogKeys, recommendationsBuildSchedule } from '../../infra/recommendations.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, logicalIdOf, removeOutdirs, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('recommendations infrastructure', () => {
  it('runs the model build daily at 04:00 UTC, with lake reads and batch writes to the table', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) =>
      JSON.stringify(r.Properties.Targets).includes(logicalIdOf(stack.recommendations.build)),
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual([`cron(${recommendationsBuildSchedule.minute} ${recommendationsBuildSchedule.hour} * * ? *)`]);
    const actions = roleStatements(template, stack.recommendations.build).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['athena:StartQueryExecution', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']));
    expect(recommendationSqlFiles.map((f) => f.to)).toEqual(['cooccurrence.sql', '_persons.sql']);
  });

  it('checks catalog uploads on S3 notifications of exactly the keys the check reads, with a dead-letter queue', () => {
    expect(catalogKeys.sources.map((s) => `${catalogKeys.prefix}${s}`)).toEqual([...catalogUploadKeys.sources]);
    const fn = template.toJSON().Resources[logicalIdOf(stack.recommendations.catalogCheck)];
    expect(JSON.stringify(fn.Properties.DeadLetterConfig)).toContain(logicalIdOf(stack.recommendations.failures));
    const notifications = JSON.stringify(Object.values(template.findResources('Custom::S3BucketNotifications')));
    for (const suffix of catalogKeys.sources) expect(notifications).toContain(suffix);
    const s3 = roleStatements(template, stack.recommendations.catalogCheck).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(JSON.stringify(s3)).toContain('/catalog/*');
    expect(JSON.stringify(s3)).not.toContain('/templates/*');
  });
});
