import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.js';
import { NurtureFunction } from '../../infra/nurture-function.js';
import { buildTestApp, logicalIdOf, readValidationReport, removeOutdirs, synthTimeoutMs } from './synth.js';

afterAll(removeOutdirs);

/** Every acknowledgement in the tree: construct path, rule id and reason. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('synthesizes with no unacknowledged finding (nor a finding of CDK\'s own template validation)', () => {
    const { app, outdir } = buildTestApp({}, { validate: true });

    expect(() => app.synth()).not.toThrow();

    const violations = readValidationReport(outdir).pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  }, synthTimeoutMs);

  it('fails the synth when a finding is not acknowledged (the check above can fail)', () => {
    const { app, stack, outdir } = buildTestApp();
    new Bucket(stack, 'Unlogged');

    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);

    const rules = readValidationReport(outdir).pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  }, synthTimeoutMs);

  it("fails the synth on a wildcard grant to a function: X-Ray's acknowledgement covers its role's inline policy only", () => {
    const { app, stack } = buildTestApp();
    stack.ingest.collect.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    expect(() => app.synth()).toThrow(/Nurture\/Ingest\/CollectRole\/DefaultPolicy\/Resource/);
  }, synthTimeoutMs);

  it('checks the scenario nested stacks too: a wildcard in a scenario role fails the synth', () => {
    const { app, stack } = buildTestApp();
    stack.scenarios.roles.get('brochure-nurture')!.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));

    expect(() => app.synth()).toThrow(/Nurture\/Scenarios\/ScenarioMachines\d+\/brochure-nurture-Role\/DefaultPolicy\/Resource/);
  }, synthTimeoutMs);

  it('acknowledges only the known rules, each on a narrow scope with a specific reason', () => {
    const { app, stack } = buildTestApp();
    const found = acknowledgements(app);

    const functions = app.node.findAll().filter((c): c is NurtureFunction => c instanceof NurtureFunction);
    const publicRoutes = routes.filter((r) => !r.auth && stack.functions.get(r.fn));
    const { sending } = stack;
    const templateReaders = [sending.send, sending.templateCheck, sending.mailLinks, sending.admin, stack.broadcasts.page, stack.formsFollowUp.fn];
    const rulesReaders = [stack.scoring.process, stack.scoring.rulesCheck, stack.scoring.sweep, stack.identity.adminProfiles, stack.segments.sweep];
    const bucketId = logicalIdOf(stack.content.content.bucket);
    const notificationsHandler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'))!;
    const lakeId = logicalIdOf(stack.analytics.bucket);
    const lakeObjects = (path: string, prefixes: string[]) => prefixes.map((p) => `${path} AwsSolutions-IAM5[Resource::<${lakeId}.Arn>/${p}*]`);
    expect(found.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'Nurture/Content/AccessLogs AwsSolutions-S1',
        // S3 object ARNs of the lake, per role and prefix: queries read the tables and write results,
        // erasure also rewrites through its temporary prefix, Firehose writes one table and its errors.
        ...lakeObjects('Nurture/Analytics/AdminRole', ['events/', 'identity/', 'athena-results/']),
        ...lakeObjects('Nurture/Identity/AdminProfilesRole', ['events/', 'identity/', 'athena-results/']),
        ...lakeObjects('Nurture/Scenarios/StepsRole', ['events/', 'identity/', 'athena-results/']),
        ...lakeObjects('Nurture/Recommendations/BuildRole', ['events/', 'identity/', 'athena-results/']),
        `Nurture/Recommendations/CatalogCheckRole AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/catalog/*]`,
        'Nurture/Recommendations/Failures AwsSolutions-SQS3',
        // Form definitions and landing pages (the admin function and the upload check read and write both).
        ...[stack.formsAdmin.admin, stack.formsAdmin.check].flatMap((fn) => ['forms/', 'pages/'].map((p) => `${fn.node.path}Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${p}*]`)),
        'Nurture/FormsAdmin/Failures AwsSolutions-SQS3',
        ...lakeObjects('Nurture/Analytics/EraseRole', ['events/', 'identity/', 'athena-results/', 'erasure-tmp/']),
        ...lakeObjects('Nurture/Analytics/Delivery/EventsPolicy', ['events/', 'errors/events/']),
        ...lakeObjects('Nurture/Analytics/Delivery/IdentityPolicy', ['identity/', 'errors/identity/']),
        'Nurture/Scoring/ProcessFailures AwsSolutions-SQS3',
        `${notificationsHandler.node.path}/Role AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`,
        // Per public route, not on the API: admin routes are checked (and pass with the IAM authorizer).
        ...publicRoutes.map((r) => `Nurture/Ingest/Api/${r.method}${r.path.replaceAll('/', '--')} AwsSolutions-APIG4`),
        ...functions.flatMap((fn) => [
          `${fn.node.path} AwsSolutions-L1`,
          `${fn.node.path}Role/Resource AwsSolutions-IAM5[Resource::*]`,
        ]),
        ...rulesReaders.map((fn) => `${fn.node.path}Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/rules/*]`),
        'Nurture/Sending/LinkSecret AwsSolutions-SMG4',
        'Nurture/Crm/InboundSecret AwsSolutions-SMG4',
        'Nurture/Sending/Failures AwsSolutions-SQS3',
        'Nurture/FollowUp/Failures AwsSolutions-SQS3',
        `${stack.formsFollowUp.fn.node.path}Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/forms/*]`,
        ...templateReaders.map((fn) => `${fn.node.path}Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/templates/*]`),
        // The public forms function reads form and landing page check reports.
        ...['forms/', 'pages/'].map((p) => `${stack.forms.public.node.path}Role AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${p}*]`),
        'Nurture/Scenarios/AdminListStateMachines AwsSolutions-IAM5[Resource::*]',
        'Nurture/Scenarios/EnrollDeadLetters AwsSolutions-SQS3',
        // Once for all scenarios, whatever their number: the shared log delivery and X-Ray policy, and the
        // grants on this stack's scenario machines and executions by name prefix.
        'Nurture/Scenarios/ExecutionLogsAndTracing AwsSolutions-IAM5[Resource::*]',
        ...['Scenarios/EnrollRole', 'Scenarios/AdminRole', 'Scoring/ProcessRole'].map(
          (role) => `Nurture/${role}/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:Nurture-scenario-*]`,
        ),
        ...['Scenarios/EnrollRole', 'Scenarios/AdminRole'].map(
          (role) => `Nurture/${role}/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:Nurture-scenario-*]`,
        ),
        // Segment email: its machine's log delivery and X-Ray, and its executions (names known at run time).
        'Nurture/Broadcasts/Role AwsSolutions-IAM5[Resource::*]',
        ...['Broadcasts/PageRole', 'Broadcasts/AdminRole'].map(
          (role) => `Nurture/${role}/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:Nurture-broadcasts:*]`,
        ),
      ].sort(),
    );
    expect(publicRoutes.map((r) => r.fn)).toContain('collect');
    expect(functions.map((fn) => fn.node.path)).toEqual(
      expect.arrayContaining(['Nurture/Ingest/Collect', 'Nurture/Scoring/Process', 'Nurture/Identity/AdminProfiles']),
    );
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(40);
  });
});
