import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBucket, mainTable } from '../../functions/shared/resources.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('admin profiles function', () => {
  it('gets the table and bucket names it parses at cold start', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack.identity.adminProfiles)];
    expect(fn.Properties.Environment.Variables).toMatchObject({
      [mainTable.envVar]: ref(stack.profiles.main.table),
      [contentBucket.envVar]: ref(stack.content.content.bucket),
    });
  });

  it('may read the table and its indexes, and nothing that writes', () => {
    const tableArn = getAtt(stack.profiles.main.table);
    const dynamo = roleStatements(template, stack.identity.adminProfiles).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    for (const statement of dynamo) {
      expect(resourcesOf(statement)).toEqual([tableArn, ...stack.profiles.main.def.indexes.map((ix) => ({ 'Fn::Join': ['', [tableArn, `/index/${ix.name}`]] }))]);
    }
  });

  it('may read the rules and no other object of the content bucket', () => {
    const bucketArn = getAtt(stack.content.content.bucket);
    const contentId = JSON.stringify(bucketArn['Fn::GetAtt'][0]);
    const s3 = roleStatements(template, stack.identity.adminProfiles).filter(
      (s) => actionsOf(s).some((a) => a.startsWith('s3:')) && JSON.stringify(s.Resource).includes(contentId),
    );
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(s3.find((s) => actionsOf(s).includes('s3:GetObject'))?.Resource).toEqual({
      'Fn::Join': ['', [bucketArn, '/rules/*']],
    });
  });

  it('reads older activity from the event lake through the Athena workgroup, and writes only query results', () => {
    const lakeId = JSON.stringify(getAtt(stack.analytics.bucket)['Fn::GetAtt'][0]);
    const statements = roleStatements(template, stack.identity.adminProfiles);
    const writes = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(JSON.stringify(w.Resource)).toContain('athena-results/');
    expect(statements.some((s) => actionsOf(s).includes('athena:StartQueryExecution'))).toBe(true);
    expect(statements.filter((s) => actionsOf(s).includes('s3:GetObject')).some((s) => JSON.stringify(s.Resource).includes(lakeId))).toBe(true);
  });
});
