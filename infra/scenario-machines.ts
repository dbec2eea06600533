import { createHash } from 'node:crypto';
import { Duration, NestedStack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type EventPattern, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type AslDefinition, compile } from '../functions/scenarios/domain/compile.js';
import { placeholders } from '../functions/scenarios/domain/contract.js';
import type { EnrollRule } from '../functions/scenarios/domain/enroll-input.js';
import { type EventPattern as Pattern, goalPattern, triggerPattern } from '../functions/scenarios/domain/patterns.js';
import type { Scenario } from '../functions/scenarios/domain/schema.js';
import type { DefinedBus, DefinedTable } from './nurture-function.js';

/** Scenarios one failed-executions alarm watches (CloudWatch: at most 10 metrics in an alarm's math). */
export const scenariosPerFailureAlarm = 10;

/**
 * Nested stacks the scenarios are spread over, by a hash of their id. Fixed for good: changing it would move
 * scenarios between nested stacks, which replaces their state machines (and stops running executions).
 */
export const scenarioShards = 16;

/**
 * Scenarios one nested stack may hold: 4 resources each plus a tenth of an alarm is about 410 of
 * CloudFormation's 500 a stack, leaving room for the hash's unevenness to show as a clear synth error.
 */
export const scenariosPerShardLimit = 100;

/**
 * The nested stack of a scenario: the first 4 bytes of the SHA-256 of its id, modulo `scenarioShards`. It
 * depends on the id alone, so adding, removing or renaming other scenario files never moves a scenario (by
 * file order, a new file sorting first would shift every later one).
 */
export function shardOf(scenarioId: string): number {
  return createHash('sha256').update(scenarioId).digest().readUInt32BE(0) % scenarioShards;
}

/** The local bus' pattern shape (`detail-type`) as CDK's EventPattern (`detailType`). */
function cdkPattern(p: Pattern): EventPattern {
  const { 'detail-type': detailType, ...rest } = p as Record<string, unknown>;
  return { ...rest, ...(detailType ? { detailType: detailType as string[] } : {}) } as EventPattern;
}

/** Service actions each Task resource of a compiled definition needs, and on what. */
function resourcesUsed(definition: AslDefinition): Set<string> {
  return new Set(Object.values(definition.States).flatMap((s) => (typeof s.Resource === 'string' ? [s.Resource] : [])));
}

export interface ScenarioMachinesProps {
  /** The scenarios of this shard, in file order. */
  readonly scenarios: readonly Scenario[];
  /** State machine names: this prefix plus the scenario id. */
  readonly prefix: string;
  readonly profiles: DefinedTable;
  readonly bus: DefinedBus;
  readonly send: IFunction;
  readonly steps: IFunction;
  readonly logGroup: ILogGroup;
  /** Log delivery and X-Ray permissions every scenario role shares (in the parent stack). */
  readonly logsAndTracing: iam.IManagedPolicy;
  /** The enroll target of a trigger or goal rule (enroll and its dead-letter queue live in the parent). */
  readonly target: (rule: EnrollRule) => IRuleTarget;
}

/**
 * One nested stack of scenarios: per scenario its role (exactly the calls its definition makes), Standard
 * state machine, trigger and goal rules; and an alarm on failed executions per ten of them. Everything shared
 * (enroll, steps, the dead-letter queue and its policy, the log group, the shared policy) is the parent's,
 * passed in as nested-stack parameters; nothing here is referred to by the parent but the dashboard's metrics.
 */
export class ScenarioMachines extends NestedStack {
  readonly machines = new Map<string, StateMachine>();
  readonly roles = new Map<string, iam.Role>();
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ScenarioMachinesProps) {
    super(scope, id, { description: `Nurture scenario state machines, role and rules (${id}; shard by a hash of the scenario id)` });
    const { profiles, bus, send, steps } = props;
    for (const scenario of props.scenarios) {
      const definition = compile(scenario);
      const used = resourcesUsed(definition);
      const calls: iam.PolicyStatement[] = [];
      // Invoke on the functions this definition calls, unqualified ARN only (no `:*` for versions).
      const invoked = [
        ...(JSON.stringify(definition).includes(`\${${placeholders.sendFunction}}`) ? [send.functionArn] : []),
        ...(JSON.stringify(definition).includes(`\${${placeholders.stepsFunction}}`) ? [steps.functionArn] : []),
      ];
      if (invoked.length > 0) calls.push(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }));
      const dynamoActions = [...used].filter((r) => r.startsWith('arn:aws:states:::dynamodb:')).map((r) => `dynamodb:${r.split(':').pop()![0]!.toUpperCase()}${r.split(':').pop()!.slice(1)}`);
      if (dynamoActions.length > 0) {
        calls.push(new iam.PolicyStatement({ actions: dynamoActions, resources: [profiles.table.tableArn] }));
        const key = profiles.table.encryptionKey;
        if (key) calls.push(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], resources: [key.keyArn] }));
      }
      if (used.has('arn:aws:states:::events:putEvents')) calls.push(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.bus.eventBusArn] }));
      // The calls as an inline policy of the role (no separate policy resource per scenario).
      const role = new iam.Role(this, `${scenario.id}-Role`, {
        assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
        description: `Execution role of the ${scenario.id} scenario: only the calls its definition makes`,
        ...(calls.length > 0 ? { inlinePolicies: { calls: new iam.PolicyDocument({ statements: calls }) } } : {}),
        managedPolicies: [props.logsAndTracing],
      });
      this.roles.set(scenario.id, role);

      const machine = new StateMachine(this, `Scenario-${scenario.id}`, {
        stateMachineName: `${props.prefix}${scenario.id}`,
        stateMachineType: StateMachineType.STANDARD,
        comment: scenario.name,
        definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
        definitionSubstitutions: {
          [placeholders.sendFunction]: send.functionArn,
          [placeholders.stepsFunction]: steps.functionArn,
          [placeholders.table]: profiles.table.tableName,
          [placeholders.bus]: bus.bus.eventBusName,
        },
        // CDK would add its log delivery and X-Ray statements to the role; the shared policy holds them.
        role: role.withoutPolicyUpdates(),
        // Every state's transition is logged (cdk-nag SF1) without its data: the data holds the lead's profile.
        logs: { destination: props.logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      this.machines.set(scenario.id, machine);

      new Rule(this, `${scenario.id}-Trigger`, {
        eventBus: bus.bus,
        description: `Enrolls people in the ${scenario.id} scenario`,
        eventPattern: cdkPattern(triggerPattern(scenario.trigger)),
        targets: [props.target({ kind: 'trigger', scenario, stateMachineArn: machine.stateMachineArn })],
      });
      if (scenario.goal) {
        new Rule(this, `${scenario.id}-Goal`, {
          eventBus: bus.bus,
          description: `Stops the ${scenario.id} scenario for people who reach its goal`,
          eventPattern: cdkPattern(goalPattern(scenario.goal)),
          targets: [props.target({ kind: 'goal', scenario, stateMachineArn: machine.stateMachineArn })],
        });
      }
    }
    this.alarmOnFailures([...this.machines].map(([id, machine]) => ({ id, machine })));
  }

  /**
   * One alarm per group of up to `scenariosPerFailureAlarm` scenarios on the sum of their failed or timed-out
   * executions, rather than one alarm each: an alarm's metric math takes at most 10 metrics, and an alarm
   * per scenario would cost a resource per scenario. The description names the group's scenarios; the
   * dashboard shows each on its own.
   */
  private alarmOnFailures(failing: readonly { id: string; machine: StateMachine }[]): void {
    for (let i = 0; i < failing.length; i += scenariosPerFailureAlarm) {
      const group = failing.slice(i, i + scenariosPerFailureAlarm);
      const usingMetrics = Object.fromEntries(group.map((g, k) => [`m${k}`, g.machine.metricFailed({ statistic: Stats.SUM, period: Duration.minutes(5) })]));
      this.alarms.push(
        // Named after the shard too: logical ids stay unique across the nested stacks (local/iam reads them as one).
        new Alarm(this, `${this.node.id}Failed${i / scenariosPerFailureAlarm + 1}`, {
          alarmDescription: `Executions of a scenario failed or timed out (a step error: see the execution in the Step Functions console). Scenarios: ${group.map((g) => g.id).join(', ')}.`,
          metric: new MathExpression({ expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`, usingMetrics, period: Duration.minutes(5), label: 'Failed executions' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
