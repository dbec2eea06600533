import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { contentBucket, mainTable } from '../../functions/shared/resources.js';
import { functionEntries } from '../../functions/shared/functions.js';
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
  // cdk-nag checks the synth; CDK's built-in template validation (most of a synth's time) is left to cdk-nag.test.ts.
  const app = new App({ outdir, context: { [BUNDLING_STACKS]: [] }, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Fixture');
  const profiles = new Profiles(stack, 'Profiles');
  const content = new Content(stack, 'Content');
  const fn = new NurtureFunction(stack, 'Fn', { name: 'collect', logRetention: RetentionDays.ONE_WEEK });
  const synth = () => Template.fromJSON(app.synth().getStackArtifact(stack.artifactId).template);
  const ref = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { fn, profiles, content, synth, ref };
}

/** Names a TypeScript module exports (declarations with `export`, and `export { … }` lists), read without running it. */
function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const exported = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  return source.statements.flatMap((st) => {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && exported(st) && st.name) return [st.name.text];
    if (ts.isVariableStatement(st) && exported(st)) return st.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) return st.exportClause.elements.map((e) => e.name.text);
    return [];
  });
}

function defaultPolicyStatements(template: Template) {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('DefaultPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]![1].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
}

describe('NurtureFunction', () => {
  it('bundles an entry that exists under the repository root and exports `handler`, for every function', () => {
    // repoRoot is the repository (where package.json is), whatever the working directory of the synth.
    expect(existsSync(join(repoRoot, 'package.json'))).toBe(true);
    const entries = Object.entries(functionEntries);
    expect(entries.length).toBeGreaterThan(10);
    for (const [name, entry] of entries) {
      const file = join(repoRoot, entry);
      expect(existsSync(file), `${name}: ${entry}`).toBe(true);
      expect(exportedNames(file), `${name}: ${entry} exports no handler (Lambda would fail at its first invoke)`).toContain('handler');
    }
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
