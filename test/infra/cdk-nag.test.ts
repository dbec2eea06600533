import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, readValidationReport, removeOutdirs } from './synth.js';

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
  it('synthesizes with no unacknowledged finding', () => {
    const { app, outdir } = buildTestApp();

    expect(() => app.synth()).not.toThrow();

    const violations = readValidationReport(outdir).pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  }, 30_000);

  it('fails the synth when a finding is not acknowledged (the check above can fail)', () => {
    const { app, stack, outdir } = buildTestApp();
    new Bucket(stack, 'Unlogged');

    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);

    const rules = readValidationReport(outdir).pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  }, 30_000);

  it('acknowledges only the known rules, each on a narrow scope with a specific reason', () => {
    const { app } = buildTestApp();
    const found = acknowledgements(app);

    expect(found.map((a) => `${a.path} ${a.id}`).sort()).toEqual(
      [
        'Nurture/Content/AccessLogs AwsSolutions-S1',
        'Nurture/Ingest/Api AwsSolutions-APIG4',
        'Nurture/Ingest/Collect AwsSolutions-L1',
        'Nurture/Ingest/CollectRole/Tracing AwsSolutions-IAM5[Resource::*]',
      ].sort(),
    );
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(40);
  });
});
