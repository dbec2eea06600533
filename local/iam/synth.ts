/**
 * Extracts every principal's IAM statements from the CDK app, synthesized in this process exactly as
 * `cdk deploy` would (bundling, cdk-nag and template validation skipped: none changes a policy), and caches the result on
 * disk keyed by a hash of everything that shapes the policies, so only a change to them pays a synth.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { functionEntries, type FunctionName } from '../../functions/shared/functions.js';
import { type CfnTemplateJson, flattenNested } from './nested-templates.js';
import { type ExtractedPolicies, type ExtractedResource, placeholderIdentity, placeholderSender, scenarioPrincipal } from './policies.js';

/** Policy extractions kept in the cache folder (newest first); older ones are deleted. */
export const cachedExtractionsKept = 20;

/** What the policies depend on: the app, the shared definitions, the scenario compiler and the scenarios. */
// Everything infra/ may import (functions/: routes, resources, compiled scenarios), the config, and this module.
const sourcesShapingPolicies = ['infra', 'functions', 'cdk.json', 'package-lock.json', 'local/iam/synth.ts', 'local/iam/policies.ts', 'local/iam/nested-templates.ts'];

export interface ExtractOptions {
  readonly repoRoot: string;
  /** Folder of scenario files (default: statemachines/), as local mode runs them. */
  readonly scenariosDir?: string;
}

function cdkJsonContext(repoRoot: string): Record<string, unknown> {
  const file = join(repoRoot, 'cdk.json');
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

/** Synthesizes the app and reads each function's and each scenario state machine's policy statements. */
export async function extractPolicies(opts: ExtractOptions): Promise<ExtractedPolicies> {
  const [{ buildApp }, { BUNDLING_STACKS }, { CfnResource, NestedStack, Stack }] = await Promise.all([
    import('../../infra/build.js'),
    import('aws-cdk-lib/cx-api'),
    import('aws-cdk-lib'),
  ]);
  const outdir = mkdtempSync(join(tmpdir(), 'nurture-iam-synth-'));
  try {
    const context = {
      ...cdkJsonContext(opts.repoRoot),
      // Replaced by the local sender when resolved (policies.ts), so the cache fits any local sender.
      'nurture:senderAddress': placeholderSender,
      'nurture:sesIdentity': placeholderIdentity,
      [BUNDLING_STACKS]: [],
    };
    const { app, stack } = buildApp(context, { outdir, skipChecks: true, ...(opts.scenariosDir ? { scenariosDir: opts.scenariosDir } : {}) });
    const assembly = app.synth();
    // Scenario roles and machines live in nested stacks (infra/scenario-machines.ts): read their templates
    // too, with the parameters they receive written back as the parent references they stand for.
    const template = flattenNested(
      assembly.getStackArtifact(stack.artifactId).template as CfnTemplateJson,
      stack.node.findAll().filter(NestedStack.isNestedStack).map((n) => ({
        logicalId: stack.getLogicalId(n.nestedStackResource as never),
        template: JSON.parse(readFileSync(join(assembly.directory, n.templateFile), 'utf8')) as CfnTemplateJson,
      })),
    );
    const logicalId = (c: { node: { defaultChild?: unknown } }) => {
      const element = c.node.defaultChild as never;
      return Stack.of(element).getLogicalId(element);
    };

    const resources: Record<string, ExtractedResource> = {};
    for (const c of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(c)) continue;
      resources[Stack.of(c).getLogicalId(c)] = { type: c.cfnResourceType, parentId: c.node.scope?.node.id ?? '' };
    }
    const principals: Record<string, { role: string; statements: unknown[] }> = {};
    for (const name of Object.keys(functionEntries) as FunctionName[]) {
      const fn = stack.functions.get(name);
      if (!fn?.role) continue;
      const id = logicalId(fn);
      resources[id] = { ...resources[id]!, fn: name };
      // A resource passed by name (`{ Ref }`) in an environment variable is named locally by that variable.
      const variables = (template.Resources[id]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [variable, value] of Object.entries(variables)) {
        const ref = (value as { Ref?: unknown } | null)?.Ref;
        if (typeof ref === 'string' && resources[ref] && !resources[ref].envVar) resources[ref] = { ...resources[ref], envVar: variable };
      }
      principals[name] = { role: logicalId(fn.role), statements: [] };
    }
    for (const [scenarioId, machine] of stack.scenarios.machines) {
      const id = logicalId(machine);
      const props = template.Resources[id]?.Properties ?? {};
      resources[id] = { ...resources[id]!, scenarioId, deployedName: String(props.StateMachineName) };
      principals[scenarioPrincipal(scenarioId)] = { role: logicalId(machine.role), statements: [] };
    }
    // The broadcast state machine runs its tasks as `stateMachine:<name>` (the name local mode registers it under).
    const broadcasts = stack.broadcasts.machine;
    {
      const id = logicalId(broadcasts);
      const name = String(template.Resources[id]?.Properties?.StateMachineName ?? id);
      resources[id] = { ...resources[id]!, deployedName: name };
      principals[`stateMachine:${name}`] = { role: logicalId(broadcasts.role), statements: [] };
    }

    const byRole = new Map(Object.values(principals).map((p) => [p.role, p]));
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type === 'AWS::IAM::Policy') {
        const doc = r.Properties?.PolicyDocument as { Statement: unknown[] };
        for (const role of (r.Properties?.Roles ?? []) as { Ref?: string }[]) byRole.get(role.Ref ?? '')?.statements.push(...doc.Statement);
      }
      if (r.Type === 'AWS::IAM::Role' && byRole.has(id)) {
        const inline = (r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: unknown[] } }[];
        for (const p of inline) byRole.get(id)!.statements.push(...p.PolicyDocument.Statement);
        for (const arn of (r.Properties?.ManagedPolicyArns ?? []) as { Ref?: string }[]) {
          // A customer-managed policy of this stack is in the template; AWS-managed ones are AWS's
          // documents, which local mode cannot read.
          const managed = arn.Ref ? template.Resources[arn.Ref] : undefined;
          if (managed?.Type !== 'AWS::IAM::ManagedPolicy') {
            throw new Error(`role ${id} has a managed policy from outside the stack; local IAM checks only model the stack's own policies`);
          }
          byRole.get(id)!.statements.push(...(managed.Properties?.PolicyDocument as { Statement: unknown[] }).Statement);
        }
      }
    }
    return { resources, principals };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function filesUnder(root: string, rel: string): string[] {
  const path = join(root, rel);
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => (name.startsWith('.') || name === 'node_modules' ? [] : filesUnder(root, join(rel, name))));
}

/** Hash of every file that shapes the policies (and of the scenarios folder local mode runs). */
export function policySourcesHash(opts: ExtractOptions): string {
  const hash = createHash('sha256');
  const files = [
    ...sourcesShapingPolicies.flatMap((rel) => filesUnder(opts.repoRoot, rel)),
    ...filesUnder(opts.scenariosDir ?? join(opts.repoRoot, 'statemachines'), ''),
  ];
  for (const file of files) {
    hash.update(relative(opts.repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

export interface LoadedExtraction {
  readonly extracted: ExtractedPolicies;
  readonly cached: boolean;
  /** Time to hash the sources and read the cache or synthesize (ms). */
  readonly ms: number;
  readonly file: string;
}

/** The extraction from `<repoRoot>/.nurture/iam/`, synthesizing (and caching) it if the sources changed. */
export async function loadExtractedPolicies(opts: ExtractOptions): Promise<LoadedExtraction> {
  const started = Date.now();
  const dir = join(opts.repoRoot, '.nurture', 'iam');
  const file = join(dir, `policies-${policySourcesHash(opts)}.json`);
  if (existsSync(file)) {
    const extracted = JSON.parse(readFileSync(file, 'utf8')) as ExtractedPolicies;
    return { extracted, cached: true, ms: Date.now() - started, file };
  }
  const extracted = await extractPolicies(opts);
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: test files starting in parallel may synthesize the same extraction at once.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(extracted));
  renameSync(tmp, file);
  pruneCache(dir);
  return { extracted, cached: false, ms: Date.now() - started, file };
}

function pruneCache(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('policies-') && f.endsWith('.json'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(cachedExtractionsKept)) rmSync(join(dir, f), { force: true });
}
