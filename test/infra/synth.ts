import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/build.js';
import { type CfnTemplateJson, flattenNested, type NestedTemplate } from '../../local/iam/nested-templates.js';

/** A valid context, as an operator would write it in cdk.json. */
export const baseContext = {
  'nurture:writeKeys': ['wk_test_primary', 'wk_test_secondary'],
  'nurture:allowedOrigins': ['https://www.example.com', 'https://shop.example.com'],
  'nurture:senderAddress': 'news@mail.example.com',
};

export interface SynthOptions {
  /** Run esbuild for real (a few seconds); otherwise CDK skips asset bundling. */
  readonly bundle?: boolean;
  /** Scenario files to deploy instead of statemachines/. */
  readonly scenariosDir?: string;
  /**
   * Run CDK's built-in CloudFormation validation too (cdk-nag always runs). Off by default: it is about
   * three quarters of a synth's time and no assertion but the cdk-nag test's reads its report.
   */
  readonly validate?: boolean;
}

/**
 * Timeouts of hooks and tests that synthesize. One unbundled synth of the stack takes ~5-15 s on an idle
 * 2-core machine and was measured at 50 s while other test processes loaded it (load average 16);
 * bundling all functions with esbuild adds about as much again. Generous, so a busy machine is no failure.
 */
export const synthTimeoutMs = 180_000;
export const bundledSynthTimeoutMs = 300_000;

const outdirs: string[] = [];

/** Builds the app with `context` over the base context, in a fresh temporary cloud assembly directory. */
export function buildTestApp(context: Record<string, unknown> = {}, { bundle = false, scenariosDir, validate = false }: SynthOptions = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'nurture-cdk-test-'));
  outdirs.push(outdir);
  const built = buildApp(
    { ...baseContext, ...(bundle ? {} : { [BUNDLING_STACKS]: [] }), ...context },
    { outdir, builtinValidation: validate, ...(scenariosDir ? { scenariosDir } : {}) },
  );
  return { ...built, outdir };
}

/** Builds and synthesizes (cdk-nag runs as part of synth and throws on unacknowledged findings). */
export function synthStack(context: Record<string, unknown> = {}, options: SynthOptions = {}) {
  const built = buildTestApp(context, options);
  const assembly = built.app.synth();
  // From the assembly rather than Template.fromStack, which would synthesize (and bundle) once more.
  const parent = assembly.getStackArtifact(built.stack.artifactId).template as CfnTemplateJson;
  const template = Template.fromJSON(parent);
  const nested = nestedTemplates(built.stack, assembly);
  // The parent's resources and the nested stacks' (scenario machines), references written back to parent ids.
  const all = Template.fromJSON(flattenNested(parent, nested));
  return { ...built, assembly, template, nested, all };
}

/** Every nested stack's template under `stack` (the scenario shards), with its resource's id in the parent. */
export function nestedTemplates(stack: Stack, assembly: CloudAssembly): NestedTemplate[] {
  return stack.node.findAll().filter(NestedStack.isNestedStack).map((n) => ({
    logicalId: stack.getLogicalId(n.nestedStackResource as CfnElement),
    template: JSON.parse(readFileSync(join(assembly.directory, n.templateFile), 'utf8')) as CfnTemplateJson,
  }));
}

export interface ValidationReport {
  pluginReports: { pluginName: string; conclusion?: string; violations: { ruleName: string }[] }[];
}

export function readValidationReport(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

/** Removes every temporary assembly directory made by this test file. */
export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every IAM policy attached to `fn`'s execution role: policy resources and the role's inline policies. */
export function roleStatements(template: Template, fn: IFunction): Statement[] {
  const stack = Stack.of(fn);
  const roleId = stack.getLogicalId(fn.role!.node.defaultChild as CfnElement);
  const inline = (template.toJSON().Resources[roleId]?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return [
    ...inline.flatMap((policy) => policy.PolicyDocument.Statement),
    ...Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]),
  ];
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[];
export const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[];

/** `{ 'Fn::GetAtt': [logicalId, attribute] }` of an L2 construct's CloudFormation resource. */
export function getAtt(construct: IConstruct, attribute = 'Arn') {
  return { 'Fn::GetAtt': [logicalIdOf(construct), attribute] };
}

/** `{ Ref: logicalId }` of an L2 construct's CloudFormation resource. */
export function ref(construct: IConstruct) {
  return { Ref: logicalIdOf(construct) };
}

export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}
