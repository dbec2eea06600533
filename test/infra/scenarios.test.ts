import type { Template } from 'aws-cdk-lib/assertions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../functions/scenarios/domain/compile.js';
import { goalPattern, triggerPattern } from '../../functions/scenarios/domain/patterns.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, type Statement } from './synth.js';

let template: Template;
let stack: NurtureStack;
beforeAll(() => {
  ({ template, stack } = synthStack());
}, 60_000);
afterAll(removeOutdirs);

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const machineOf = (id: string) => stack.scenarios.machines.get(id)!;
const machineResource = (m: StateMachine) => template.toJSON().Resources[logicalIdOf(m)] as Resource;

/** Statements of the IAM policies attached to a state machine's role. */
function machineStatements(m: StateMachine): Statement[] {
  const roleId = logicalIdOf(m.role);
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function rulesTargeting(fnLogicalId: string) {
  return resources('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(`"${fnLogicalId}"`));
}

describe('scenario state machines', () => {
  it('deploys one Standard state machine per scenario file, named after the stack and the scenario', () => {
    const ids = stack.scenarios.scenarios.map((s) => s.id);
    expect(ids).toEqual(['brochure-nurture', 'cart-reminder', 'dormant-reengagement', 'first-purchase-coupon', 'mql-welcome', 'pricing-no-inquiry']);
    const machines = resources('AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties);
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
    const pricing = machineStatements(machineOf('pricing-no-inquiry'));
    const invoke = pricing.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    // pricing-no-inquiry sends no mail: it may call the steps function, not the send function.
    expect(invoke.flatMap(resourcesOf)).toEqual([getAtt(stack.scenarios.steps)]);
    expect(pricing.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))).toEqual([
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: tableArn }),
    ]);
    expect(pricing.flatMap(actionsOf)).toContain('events:PutEvents');

    const coupon = machineStatements(machineOf('first-purchase-coupon'));
    expect(coupon.filter((s) => actionsOf(s).includes('lambda:InvokeFunction')).flatMap(resourcesOf)).toEqual([getAtt(stack.sending.send), getAtt(stack.scenarios.steps)]);
    expect(coupon.flatMap(actionsOf)).not.toContain('events:PutEvents');
    for (const s of [...pricing, ...coupon]) {
      const wildcard = resourcesOf(s).some((r) => JSON.stringify(r).includes('*'));
      if (wildcard) expect(actionsOf(s).every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
    }
  });

  it('alarms on failed executions of every scenario', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const id of stack.scenarios.machines.keys()) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: 'ExecutionsFailed',
          Namespace: 'AWS/States',
          Dimensions: [{ Name: 'StateMachineArn', Value: ref(machineOf(id)) }],
          Threshold: 1,
        }),
      );
    }
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
    expect(ended?.EventPattern.detail.stateMachineArn).toHaveLength(stack.scenarios.scenarios.length);
  });

  it('lets enroll start only the scenario machines and stop only their executions', () => {
    const states = roleStatements(template, stack.scenarios.enroll).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states.flatMap(actionsOf).sort()).toEqual(
      ['states:StartExecution', 'states:StopExecution', 'states:DescribeExecution'].flatMap((a) => Array(stack.scenarios.machines.size).fill(a)).sort(),
    );
    for (const s of states.filter((st) => actionsOf(st).includes('states:StartExecution'))) {
      expect(resourcesOf(s)).toHaveLength(1);
      expect([...stack.scenarios.machines.values()].map((m) => ref(m))).toContainEqual(resourcesOf(s)[0]);
    }
    expect(JSON.stringify(states)).not.toContain('"Resource":"*"');
  });

  it('lets the stream processor resume waiting executions', () => {
    const responses = roleStatements(template, stack.scoring.process).filter((s) => actionsOf(s).includes('states:SendTaskSuccess'));
    expect(responses.flatMap(resourcesOf).sort()).toEqual([...stack.scenarios.machines.values()].map((m) => ref(m)).sort());
  });
});
