import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../functions/scenarios/domain/compile.js';
import { goalPattern, triggerPattern } from '../../functions/scenarios/domain/patterns.js';
import type { NurtureStack } from '../../infra/stack.js';
import { scenariosPerFailureAlarm } from '../../infra/scenarios.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs, type Statement } from './synth.js';

let template: Template;
let stack: NurtureStack;
beforeAll(() => {
  ({ template, stack } = synthStack());
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

describe('scenarios at scale', () => {
  const count = 60;
  const dir = mkdtempSync(join(tmpdir(), 'nurture-scenarios-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`synthesizes ${count} scenarios (each with a trigger and a goal rule) within every per-policy and per-stack limit`, () => {
    for (let i = 1; i <= count; i++) {
      const id = `journey-${String(i).padStart(2, '0')}`;
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

    // cdk-nag runs in this synth, and CDK refuses a stack over CloudFormation's 500 resources.
    const big = synthStack({}, { scenariosDir: dir });

    expect(big.stack.scenarios.machines.size).toBe(count);
    const bigResources = Object.values(big.template.toJSON().Resources) as Resource[];
    expect(bigResources.length).toBeLessThan(500);
    // What one scenario with a goal costs (role, machine, trigger and goal rules, and a tenth of a
    // failed-executions alarm), and how many a stack then holds: the README's figure ("about 68 scenarios
    // with a goal") must stay true (62 before single-function admin areas were deployed as greedy routes).
    const own = Object.keys(big.template.toJSON().Resources).filter((id) => id.includes('journey01')).length;
    expect(own).toBe(4);
    const perScenario = own + 1 / scenariosPerFailureAlarm;
    const capacity = count + Math.floor((500 - bigResources.length) / perScenario);
    expect(capacity).toBeGreaterThanOrEqual(68);
    // SQS: 20 statements and 8 KB a queue policy. One statement for every rule, by source ARN pattern.
    const dlq = logicalIdOf(big.stack.scenarios.deadLetters);
    const queuePolicies = bigResources.filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues).includes(`"${dlq}"`));
    expect(queuePolicies).toHaveLength(1);
    const all = queuePolicies[0]!.Properties.PolicyDocument.Statement as { Effect: string; Principal?: unknown; Condition: { ArnLike: { 'aws:SourceArn': unknown[] } } }[];
    // The queue's TLS-only deny, and one allow for every rule's deliveries.
    expect(all.map((st) => st.Effect).sort()).toEqual(['Allow', 'Deny']);
    const statements = all.filter((st) => st.Effect === 'Allow');
    expect(statements[0]!.Principal).toEqual({ Service: 'events.amazonaws.com' });
    const sources = statements[0]!.Condition.ArnLike['aws:SourceArn'];
    expect(sources).toHaveLength(2);
    expect(JSON.stringify(sources[0])).toMatch(/:rule\/",\{"Ref":"[^"]+"\},"\/\*"/);
    // Lambda: 20 KB of resource policy. Two permissions on enroll (Nurture bus rules, the ended rule).
    const enroll = logicalIdOf(big.stack.scenarios.enroll);
    expect(bigResources.filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(`"${enroll}"`))).toHaveLength(2);
    // IAM: 10,240 characters of inline policy a role. The functions' scenario grants do not grow.
    for (const name of ['enroll', 'scenariosAdmin', 'process'] as const) {
      expect(roleStatements(big.template, big.stack.functions.get(name)!).length, name).toBe(roleStatements(template, stack.functions.get(name)!).length);
    }
  }, synthTimeoutMs);
});
