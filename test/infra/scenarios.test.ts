import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../functions/scenarios/domain/compile.js';
import { goalPattern, triggerPattern } from '../../functions/scenarios/domain/patterns.js';
import type { NurtureStack } from '../../infra/stack.js';
import { scenarioShards, scenariosPerShardLimit, shardOf } from '../../infra/scenario-machines.js';
import { scenariosPerFailureAlarm } from '../../infra/scenarios.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs, type Statement } from './synth.js';

// The parent's resources and the scenario nested stacks' in one template, nested parameters written back as
// the parent references they receive (what a flat stack's template said).
let template: Template;
let parent: Template;
let stack: NurtureStack;
beforeAll(() => {
  ({ all: template, template: parent, stack } = synthStack());
}, synthTimeoutMs);
afterAll(removeOutdirs);

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const machineOf = (id: string) => stack.scenarios.machines.get(id)!;
const machineResource = (m: StateMachine) => template.toJSON().Resources[logicalIdOf(m)] as Resource;

/** Statements of a scenario role's own policies: inline, and any AWS::IAM::Policy attached to it. */
function machineStatements(id: string): Statement[] {
  const roleId = logicalIdOf(stack.scenarios.roles.get(id)!);
  const role = template.toJSON().Resources[roleId] as Resource;
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
  const attached = resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
  return [...inline, ...attached];
}

function rulesTargeting(fnLogicalId: string) {
  return resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${fnLogicalId}"`));
}

describe('scenario state machines', () => {
  it('deploys one Standard state machine per scenario file, named after the stack and the scenario', () => {
    const ids = stack.scenarios.scenarios.map((s) => s.id);
    expect(ids).toEqual(['brochure-nurture', 'cart-reminder', 'dormant-reengagement', 'first-purchase-coupon', 'mql-welcome', 'pricing-no-inquiry']);
    // Beside them, one machine of the stack's own: broadcasts (infra/broadcasts.ts).
    const machines = resources('AWS::StepFunctions::StateMachine')
      .map(([, r]) => r.Properties)
      .filter((m) => String(m.StateMachineName).startsWith('Nurture-scenario-'));
    expect(machines.map((m) => m.StateMachineName).sort()).toEqual(ids.map((id) => `Nurture-scenario-${id}`));
    for (const m of machines) {
      expect(m).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('puts each scenario\'s role, machine, rules and alarm in the nested stack its id hashes to, none in the parent', () => {
    for (const [id, machine] of stack.scenarios.machines) {
      const nested = Stack.of(machine);
      expect(nested.nested, id).toBe(true);
      expect(nested.node.id, id).toBe(`ScenarioMachines${shardOf(id)}`);
      expect(Stack.of(stack.scenarios.roles.get(id)!), id).toBe(nested);
    }
    const inParent = Object.values(parent.toJSON().Resources as Record<string, Resource>);
    expect(inParent.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine' && String(r.Properties.StateMachineName).startsWith('Nurture-scenario-'))).toEqual([]);
    expect(inParent.filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Description).startsWith('Enrolls people in'))).toEqual([]);
    // One nested stack per shard in use.
    expect(inParent.filter((r) => r.Type === 'AWS::CloudFormation::Stack')).toHaveLength(new Set([...stack.scenarios.machines.keys()].map(shardOf)).size);
  });

  it('deploys the compiled definition with the send function, steps function, table and bus filled in', () => {
    const scenario = stack.scenarios.scenarios.find((s) => s.id === 'brochure-nurture')!;
    const props = machineResource(machineOf('brochure-nurture')).Properties;
    expect(JSON.parse(props.DefinitionString)).toEqual(compile(scenario));
    expect(props.DefinitionSubstitutions).toEqual({
      SendFunctionArn: getAtt(stack.sending.send),
      StepsFunctionArn: getAtt(stack.scenarios.steps),
      TableName: ref(stack.profiles.main.table),
      EventBusName: ref(stack.scoring.bus.bus),
    });
  });

  it('gives each state machine only the calls its own definition makes', () => {
    const tableArn = getAtt(stack.profiles.main.table);
    const pricing = machineStatements('pricing-no-inquiry');
    const invoke = pricing.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    // pricing-no-inquiry sends no mail: it may call the steps function, not the send function.
    expect(invoke.flatMap(resourcesOf)).toEqual([getAtt(stack.scenarios.steps)]);
    expect(pricing.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))).toEqual([
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: tableArn }),
    ]);
    expect(pricing.flatMap(actionsOf)).toContain('events:PutEvents');

    const coupon = machineStatements('first-purchase-coupon');
    expect(coupon.filter((s) => actionsOf(s).includes('lambda:InvokeFunction')).flatMap(resourcesOf)).toEqual([getAtt(stack.sending.send), getAtt(stack.scenarios.steps)]);
    expect(coupon.flatMap(actionsOf)).not.toContain('events:PutEvents');
  });

  it('keeps wildcards out of every scenario role\'s own policy: log delivery and X-Ray sit in one shared policy', () => {
    const shared = logicalIdOf(stack.scenarios.logsAndTracing);
    const sharedStatements = template.toJSON().Resources[shared].Properties.PolicyDocument.Statement as Statement[];
    expect(sharedStatements.flatMap(actionsOf).every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
    expect(sharedStatements.flatMap(actionsOf)).toEqual(expect.arrayContaining(['logs:CreateLogDelivery', 'xray:PutTraceSegments']));
    for (const id of stack.scenarios.machines.keys()) {
      const own = machineStatements(id);
      expect(own.length, id).toBeGreaterThan(0);
      expect(JSON.stringify(own.flatMap(resourcesOf)), id).not.toContain('*');
      const role = template.toJSON().Resources[logicalIdOf(stack.scenarios.roles.get(id)!)] as Resource;
      expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: shared }]);
    }
  });

  it('alarms on failed executions of every scenario, ten scenarios an alarm', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as { Metrics?: { MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] } } }[]; Threshold: number; AlarmDescription: string });
    const failedAlarms = alarms.filter((a) => a.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === 'ExecutionsFailed'));
    for (const id of stack.scenarios.machines.keys()) {
      const watching = failedAlarms.filter((a) =>
        a.Metrics!.some((m) => JSON.stringify(m.MetricStat?.Metric.Dimensions) === JSON.stringify([{ Name: 'StateMachineArn', Value: ref(machineOf(id)) }])),
      );
      // Exactly one alarm watches each scenario, fires on one failure, and names it.
      expect(watching, id).toHaveLength(1);
      expect(watching[0]!.Threshold).toBe(1);
      expect(watching[0]!.AlarmDescription).toContain(id);
    }
    for (const a of failedAlarms) expect(a.Metrics!.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(scenariosPerFailureAlarm);
  });
});

describe('scenario triggers, goals and enrollment', () => {
  it('enrolls through one function from a rule per trigger and goal on the Nurture bus, with the compiled patterns', () => {
    const enrollId = logicalIdOf(stack.scenarios.enroll);
    const rules = rulesTargeting(enrollId).map(([, r]) => r.Properties);
    for (const s of stack.scenarios.scenarios) {
      const trigger = rules.find((r) => r.Description === `Enrolls people in the ${s.id} scenario`);
      expect(trigger?.EventBusName).toEqual(ref(stack.scoring.bus.bus));
      expect(trigger?.EventPattern).toEqual(triggerPattern(s.trigger));
      const template = JSON.stringify(trigger?.Targets[0].InputTransformer);
      expect(template).toContain('\\"kind\\":\\"trigger\\"');
      expect(template).toContain(`\\"scenarioId\\":\\"${s.id}\\"`);
      expect(trigger?.Targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 185 }, DeadLetterConfig: { Arn: getAtt(stack.scenarios.deadLetters) } });
      const goal = rules.find((r) => r.Description === `Stops the ${s.id} scenario for people who reach its goal`);
      expect(goal?.EventPattern).toEqual(s.goal ? goalPattern(s.goal) : undefined);
    }
    const ended = rules.find((r) => r.EventPattern?.source?.[0] === 'aws.states');
    expect(ended?.EventBusName).toBeUndefined();
    // One prefix for every machine of the stack: a list of ARNs would outgrow a pattern's 2,048 characters.
    expect(JSON.stringify(ended?.EventPattern.detail.stateMachineArn)).toMatch(/^\[\{"prefix":.*:stateMachine:Nurture-scenario-"\]\]\}\}\]$/);
  });

  it('lets enroll start only this stack\'s scenario machines and stop only their executions', () => {
    const states = roleStatements(template, stack.scenarios.enroll).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.map((s) => [actionsOf(s), arnTail(resourcesOf(s))])).toEqual([
      [['states:StartExecution'], [':stateMachine:Nurture-scenario-*']],
      [['states:StopExecution', 'states:DescribeExecution'], [':execution:Nurture-scenario-*']],
    ]);
  });

  it('lets the stream processor resume waiting executions of the scenario machines only', () => {
    const responses = roleStatements(template, stack.scoring.process).filter((s) => actionsOf(s).includes('states:SendTaskSuccess'));
    expect(responses.map((s) => arnTail(resourcesOf(s)))).toEqual([[':stateMachine:Nurture-scenario-*']]);
  });
});

/** The literal end of each formatted ARN (`{ Fn::Join: ['', [..., ':stateMachine:Nurture-scenario-*']] }`). */
function arnTail(arns: unknown[]): string[] {
  return arns.map((a) => {
    const parts = (a as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    return String(parts.at(-1));
  });
}

/** Scenario files `journey-001` … of a generated journey (a trigger, a goal, a wait, a send and a notify step). */
function writeJourneys(dir: string, count: number): void {
  for (let i = 1; i <= count; i++) {
    const id = `journey-${String(i).padStart(3, '0')}`;
    writeFileSync(
      join(dir, `${id}.yaml`),
      [
        `id: ${id}`,
        `name: Generated journey ${i}`,
        'trigger: { event: Trial Started }',
        'goal: { event: Order Completed }',
        'steps:',
        '  - { id: pause, type: wait, for: 1d }',
        '  - { id: hello, type: send, template: welcome }',
        '  - { id: tell, type: notify, reason: generated }',
        '',
      ].join('\n'),
    );
  }
}

describe('scenarios at scale', () => {
  const count = 60;
  /** Scenarios CloudFormation holds with room to spare (synthesized below: about 6 s on an idle 2-core machine). */
  const capacity = 200;
  const dirs = [mkdtempSync(join(tmpdir(), 'nurture-scenarios-')), mkdtempSync(join(tmpdir(), 'nurture-scenarios-'))] as const;
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it(`synthesizes ${count} scenarios (each with a trigger and a goal rule) within every per-policy and per-stack limit`, () => {
    writeJourneys(dirs[0], count);

    // cdk-nag runs in this synth (nested stacks included), and CDK refuses a stack over CloudFormation's 500 resources.
    const big = synthStack({}, { scenariosDir: dirs[0] });

    expect(big.stack.scenarios.machines.size).toBe(count);
    const parentResources = Object.values(big.template.toJSON().Resources) as Resource[];
    // The parent holds one AWS::CloudFormation::Stack per shard in use, not 4 resources per scenario: no
    // more than the stack with the 6 example scenarios plus one resource per shard.
    expect(parentResources.length).toBeLessThanOrEqual(Object.keys(parent.toJSON().Resources).length + scenarioShards);
    expect(parentResources.length).toBeLessThan(450);
    for (const n of big.nested) expect(Object.keys(n.template.Resources).length, n.logicalId).toBeLessThan(500);
    // What one scenario with a goal costs in its nested stack: role, machine, trigger and goal rules.
    const all = big.all.toJSON().Resources as Record<string, Resource>;
    expect(Object.keys(all).filter((id) => id.includes('journey001'))).toHaveLength(4);
    const bigResources = Object.values(all);
    // SQS: 20 statements and 8 KB a queue policy. One statement for every rule, by source ARN pattern.
    const dlq = logicalIdOf(big.stack.scenarios.deadLetters);
    const queuePolicies = bigResources.filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues).includes(`"${dlq}"`));
    expect(queuePolicies).toHaveLength(1);
    const statementsOf = queuePolicies[0]!.Properties.PolicyDocument.Statement as { Effect: string; Principal?: unknown; Condition: { ArnLike: { 'aws:SourceArn': unknown[] } } }[];
    // The queue's TLS-only deny, and one allow for every rule's deliveries.
    expect(statementsOf.map((st) => st.Effect).sort()).toEqual(['Allow', 'Deny']);
    const statements = statementsOf.filter((st) => st.Effect === 'Allow');
    expect(statements[0]!.Principal).toEqual({ Service: 'events.amazonaws.com' });
    const sources = statements[0]!.Condition.ArnLike['aws:SourceArn'];
    expect(sources).toHaveLength(2);
    expect(JSON.stringify(sources[0])).toMatch(/:rule\/",\{"Ref":"[^"]+"\},"\/\*"/);
    // Every rule of every nested stack sends its failed deliveries to that one queue, on the Nurture bus.
    const rules = bigResources.filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Description).includes('journey-'));
    expect(rules).toHaveLength(2 * count);
    for (const r of rules) {
      expect(r.Properties.EventBusName).toEqual(ref(big.stack.scoring.bus.bus));
      expect(r.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: getAtt(big.stack.scenarios.deadLetters) });
    }
    // Lambda: 20 KB of resource policy. Two permissions on enroll (Nurture bus rules, the ended rule).
    const enroll = logicalIdOf(big.stack.scenarios.enroll);
    expect(bigResources.filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(`"${enroll}"`))).toHaveLength(2);
    // IAM: 10,240 characters of inline policy a role. The functions' scenario grants do not grow.
    for (const name of ['enroll', 'scenariosAdmin', 'process'] as const) {
      expect(roleStatements(big.all, big.stack.functions.get(name)!).length, name).toBe(roleStatements(template, stack.functions.get(name)!).length);
    }
  }, synthTimeoutMs);

  it(`holds ${capacity} scenarios, none moving to another nested stack as scenarios are added`, () => {
    writeJourneys(dirs[1], capacity);

    const small = synthStack({}, { scenariosDir: dirs[0] });
    const big = synthStack({}, { scenariosDir: dirs[1] });

    expect(big.stack.scenarios.machines.size).toBe(capacity);
    expect(Object.keys(big.template.toJSON().Resources).length).toBeLessThanOrEqual(Object.keys(parent.toJSON().Resources).length + scenarioShards);
    for (const n of big.nested) expect(Object.keys(n.template.Resources).length, n.logicalId).toBeLessThan(500);
    const perShard = [...big.stack.scenarios.machines.keys()].reduce((m, id) => m.set(shardOf(id), (m.get(shardOf(id)) ?? 0) + 1), new Map<number, number>());
    expect(Math.max(...perShard.values())).toBeLessThanOrEqual(scenariosPerShardLimit);
    // The first 60 keep their nested stack and logical ids with 140 more beside them (a move would replace the machine).
    const placement = (s: typeof big.stack) => [...s.scenarios.machines].slice(0, count).map(([id, m]) => [id, Stack.of(m).node.path, logicalIdOf(m)]);
    expect(placement(big.stack)).toEqual(placement(small.stack));
  }, synthTimeoutMs);

  it('refuses more scenarios in one nested stack than its limit, naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nurture-scenarios-'));
    try {
      // Ids that all hash to one shard.
      const ids: string[] = [];
      for (let i = 0; ids.length <= scenariosPerShardLimit; i++) if (shardOf(`crowd-${i}`) === 0) ids.push(`crowd-${i}`);
      for (const id of ids) writeFileSync(join(dir, `${id}.yaml`), [`id: ${id}`, 'name: Crowd', 'trigger: { event: Trial Started }', 'steps:', '  - { id: tell, type: notify, reason: crowd }', ''].join('\n'));

      expect(() => synthStack({}, { scenariosDir: dir })).toThrow(/share nested stack ScenarioMachines0: at most 100 a nested stack/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, synthTimeoutMs);
});
