import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it } from 'vitest';
import { contentBucket, mainTable } from '../../functions/shared/resources.js';
import { Content } from '../../infra/content.js';
import { NurtureFunction, repoRoot } from '../../infra/nurture-function.js';
import { Profiles } from '../../infra/profiles.js';

let outdir: string | undefined;
afterEach(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
  outdir = undefined;
});

/** A stack with the profiles table, the content bucket and one NurtureFunction, checked by cdk-nag. */
function fixture() {
  outdir = mkdtempSync(join(tmpdir(), 'nurture-cdk-fn-'));
  const app = new App({ outdir, context: { [BUNDLING_STACKS]: [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Fixture');
  const profiles = new Profiles(stack, 'Profiles');
  const content = new Content(stack, 'Content');
  const fn = new NurtureFunction(stack, 'Fn', { name: 'collect', logRetention: RetentionDays.ONE_WEEK });
  const synth = () => Template.fromJSON(app.synth().getStackArtifact(stack.artifactId).template);
  const ref = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { fn, profiles, content, synth, ref };
}

function defaultPolicyStatements(template: Template) {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('DefaultPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]![1].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
}

describe('NurtureFunction', () => {
  it('resolves its entry from the repository root, whatever the working directory', () => {
    expect(join(repoRoot, 'functions/shared/routes.ts')).toMatch(/functions[\\/]shared[\\/]routes\.ts$/);
    expect(repoRoot).not.toMatch(/infra[\\/]?$/);
  });

  it("bindTable('read') allows point reads and queries on the table and each declared index by name", () => {
    const { fn, profiles, synth, ref } = fixture();
    fn.bindTable(profiles.main, 'read');

    const template = synth();

    const tableArn = { 'Fn::GetAtt': [ref(profiles.main.table), 'Arn'] };
    const indexArns = mainTable.indexes.map((index) => ({
      'Fn::Join': ['', [tableArn, `/index/${index.name}`]],
    }));
    const statements = defaultPolicyStatements(template).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        Resource: [tableArn, ...indexArns],
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [mainTable.envVar]: { Ref: ref(profiles.main.table) } } },
    });
  });

  it('bindBucket grants object reads under a prefix only, sets the env var and passes cdk-nag', () => {
    const { fn, content, synth, ref } = fixture();
    fn.bindBucket(content.content, 'read', { prefix: 'templates/' });

    const template = synth();

    const bucketArn = { 'Fn::GetAtt': [ref(content.content.bucket), 'Arn'] };
    const statements = defaultPolicyStatements(template).filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(statements).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn, '/templates/*']] } }),
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': ['templates/*'] } },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [contentBucket.envVar]: { Ref: ref(content.content.bucket) } } },
    });
  });
});
