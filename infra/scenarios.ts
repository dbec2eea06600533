import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, type EventPattern, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
// The compiler and the document loader are pure (no SDK): CDK deploys exactly what local mode runs.
import { type AslDefinition, compile } from '../functions/scenarios/domain/compile.js';
import { placeholders } from '../functions/scenarios/domain/contract.js';
import { enrollTargetInput, type EnrollRule } from '../functions/scenarios/domain/enroll-input.js';
import { loadScenarios } from '../functions/scenarios/adapters/scenario-files.js';
import { type EventPattern as Pattern, goalPattern, triggerPattern } from '../functions/scenarios/domain/patterns.js';
import type { Scenario } from '../functions/scenarios/domain/schema.js';
import { type DefinedBus, type DefinedStream, type DefinedTable, NurtureFunction, repoRoot } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface ScenariosProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly events: DefinedStream;
  /** The domain event bus the triggers and goals listen on, and notify steps publish to. */
  readonly bus: DefinedBus;
  /** The send function of the sending capability (the send step's Lambda task). */
  readonly send: IFunction;
  /** The stream processor: it resumes waiting executions (SendTaskSuccess). */
  readonly processor?: iam.IGrantable;
  readonly functions: FunctionRegistry;
  /** Folder of scenario files (default: statemachines/). */
  readonly dir?: string;
}

/** Source and detail-type of Step Functions' own execution status events (on the default bus). */
const statusEvents = { source: 'aws.states', detailType: 'Step Functions Execution Status Change' } as const;
/** How long EventBridge keeps retrying a trigger or goal delivery to enroll before the dead-letter queue. */
const ruleTargetMaxEventAge = Duration.hours(24);

/** The local bus' pattern shape (`detail-type`) as CDK's EventPattern (`detailType`). */
function cdkPattern(p: Pattern): EventPattern {
  const { 'detail-type': detailType, ...rest } = p as Record<string, unknown>;
  return { ...rest, ...(detailType ? { detailType: detailType as string[] } : {}) } as EventPattern;
}

/** Service actions each Task resource of a compiled definition needs, and on what. */
function resourcesUsed(definition: AslDefinition): Set<string> {
  return new Set(Object.values(definition.States).flatMap((s) => (typeof s.Resource === 'string' ? [s.Resource] : [])));
}

/**
 * Scenarios: one Standard state machine per file in statemachines/ (compiled by the same compiler local
 * mode runs), each with its trigger and goal rules, logging, tracing, a role scoped to what its own
 * definition calls, and an alarm on failed executions; the enroll and scenario-steps functions; and the
 * admin API function.
 */
export class Scenarios extends Construct {
  readonly scenarios: Scenario[];
  readonly machines = new Map<string, StateMachine>();
  readonly enroll: NurtureFunction;
  readonly steps: NurtureFunction;
  readonly admin: NurtureFunction;
  /** Trigger/goal/status deliveries enroll could not take after EventBridge's retries. */
  readonly deadLetters: Queue;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ScenariosProps) {
    super(scope, id);
    const { logRetention, profiles, events, bus, send, functions } = props;
    const stack = Stack.of(this);
    this.scenarios = loadScenarios(props.dir ?? join(repoRoot, 'statemachines'));
    // State machine names: `<stack>-scenario-<id>` (≤ 80 characters: ids are at most 40).
    const prefix = `${stack.stackName}-scenario-`;
    const machineArn = (name: string) => stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const executionArns = (scenarioId: string) =>
      stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${prefix}${scenarioId}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.steps = functions.register(
      'scenarioSteps',
      new NurtureFunction(this, 'Steps', {
        name: 'scenarioSteps',
        description: 'Scenario tasks without a direct integration: branch facts, time of day, wait-for-event tokens, points',
        logRetention,
      })
        // Get/Query (profile, activity history), Put (task tokens), Update (waitingFor): no delete or scan.
        .bindTable(profiles, 'read')
        .bindTable(profiles, 'write')
        .bindStream(events),
    );

    this.enroll = functions.register(
      'enroll',
      new NurtureFunction(this, 'Enroll', {
        name: 'enroll',
        description: 'Scenario enrollment (re-entry policy, deterministic execution names), goal stops, status records',
        logRetention,
      })
        .bindTable(profiles, 'read')
        .bindTable(profiles, 'write'),
    );

    this.admin = functions.register(
      'scenariosAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'scenariosAdmin',
        description: 'Admin API: scenarios, their executions and current steps',
        logRetention,
        environment: { SCENARIO_STATE_MACHINE_PREFIX: prefix, SCENARIO_STATE_MACHINE_ARN_PREFIX: machineArn(prefix) },
      }),
    );
    const listMachines = new iam.Policy(this, 'AdminListStateMachines', {
      statements: [new iam.PolicyStatement({ actions: ['states:ListStateMachines'], resources: ['*'] })],
    });
    this.admin.role!.attachInlinePolicy(listMachines);
    Validations.of(listMachines).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'states:ListStateMachines supports no resource-level permission; the admin function filters the list to this stack\'s scenario prefix.',
    });

    this.deadLetters = new Queue(this, 'EnrollDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the scenario rules\' enroll target; it has no consumer whose failures a further queue could catch.',
    });
    this.alarms.push(
      new Alarm(this, 'EnrollDeadLettersWaiting', {
        alarmDescription: 'A trigger, goal or status event could not be delivered to the enroll function after retries (see the queue for the event).',
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // The input each rule passes is built by the same function local mode calls; EventField fills it in.
    const target = (rule: EnrollRule) =>
      new LambdaFunction(this.enroll, {
        event: RuleTargetInput.fromObject(enrollTargetInput(rule, (path) => EventField.fromPath(path))),
        deadLetterQueue: this.deadLetters,
        maxEventAge: ruleTargetMaxEventAge,
        retryAttempts: 185,
      });

    const logGroup = new LogGroup(this, 'ExecutionLogs', { retention: logRetention });
    for (const scenario of this.scenarios) {
      const definition = compile(scenario);
      const used = resourcesUsed(definition);
      const role = new iam.Role(this, `${scenario.id}-Role`, {
        assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
        description: `Execution role of the ${scenario.id} scenario: only the calls its definition makes`,
      });
      // Invoke on the functions this definition calls, unqualified ARN only (no `:*` for versions).
      const invoked = [
        ...(JSON.stringify(definition).includes(`\${${placeholders.sendFunction}}`) ? [send.functionArn] : []),
        ...(JSON.stringify(definition).includes(`\${${placeholders.stepsFunction}}`) ? [this.steps.functionArn] : []),
      ];
      if (invoked.length > 0) role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }));
      const dynamoActions = [...used].filter((r) => r.startsWith('arn:aws:states:::dynamodb:')).map((r) => `dynamodb:${r.split(':').pop()![0]!.toUpperCase()}${r.split(':').pop()!.slice(1)}`);
      if (dynamoActions.length > 0) {
        role.addToPolicy(new iam.PolicyStatement({ actions: dynamoActions, resources: [profiles.table.tableArn] }));
        profiles.table.encryptionKey?.grantEncryptDecrypt(role);
      }
      if (used.has('arn:aws:states:::events:putEvents')) bus.bus.grantPutEventsTo(role);

      const machine = new StateMachine(this, `Scenario-${scenario.id}`, {
        stateMachineName: `${prefix}${scenario.id}`,
        stateMachineType: StateMachineType.STANDARD,
        comment: scenario.name,
        definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
        definitionSubstitutions: {
          [placeholders.sendFunction]: send.functionArn,
          [placeholders.stepsFunction]: this.steps.functionArn,
          [placeholders.table]: profiles.table.tableName,
          [placeholders.bus]: bus.bus.eventBusName,
        },
        role,
        // Every state's transition is logged (cdk-nag SF1) without its data: the data holds the lead's profile.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      this.machines.set(scenario.id, machine);
      for (const child of [role.node.tryFindChild('DefaultPolicy')].filter(Boolean)) {
        Validations.of(child!).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Step Functions logging (logs:CreateLogDelivery and related) and X-Ray tracing (xray:PutTraceSegments) support no resource-level permission.',
        });
      }

      this.enroll.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }));
      this.enroll.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executionArns(scenario.id)] }));
      this.admin.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [machine.stateMachineArn] }));
      this.admin.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [executionArns(scenario.id)] }));
      if (props.processor) machine.grantTaskResponse(props.processor);

      new Rule(this, `${scenario.id}-Trigger`, {
        eventBus: bus.bus,
        description: `Enrolls people in the ${scenario.id} scenario`,
        eventPattern: cdkPattern(triggerPattern(scenario.trigger)),
        targets: [target({ kind: 'trigger', scenario, stateMachineArn: machine.stateMachineArn })],
      });
      if (scenario.goal) {
        new Rule(this, `${scenario.id}-Goal`, {
          eventBus: bus.bus,
          description: `Stops the ${scenario.id} scenario for people who reach its goal`,
          eventPattern: cdkPattern(goalPattern(scenario.goal)),
          targets: [target({ kind: 'goal', scenario, stateMachineArn: machine.stateMachineArn })],
        });
      }

      this.alarms.push(
        new Alarm(this, `${scenario.id}-Failed`, {
          alarmDescription: `Executions of the ${scenario.id} scenario failed or timed out (a step error: see the execution in the Step Functions console).`,
          metric: machine.metricFailed({ statistic: Stats.SUM, period: Duration.minutes(5) }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    for (const fnId of [this.enroll, this.admin]) {
      const policy = fnId.role!.node.tryFindChild('DefaultPolicy');
      if (policy && this.scenarios.length > 0) {
        for (const s of this.scenarios) {
          Validations.of(policy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${prefix}${s.id}:*]`,
            reason: `Executions of the ${s.id} scenario: execution ARNs end in the execution name, which is only known at run time.`,
          });
        }
      }
    }

    // Step Functions reports how each execution ended on the default bus; enroll records it.
    if (this.machines.size > 0) {
      new Rule(this, 'ExecutionsEnded', {
        description: 'Records how scenario executions end (re-entry policy reads it)',
        eventPattern: {
          source: [statusEvents.source],
          detailType: [statusEvents.detailType],
          detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [...this.machines.values()].map((m) => m.stateMachineArn) },
        },
        targets: [target({ kind: 'ended' })],
      });
    }
  }
}
