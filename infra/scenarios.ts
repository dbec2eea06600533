import { querySqlFiles } from '../functions/analytics/adapters/query-sql.js';
import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, type EventPattern, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFn, type IFunction } from 'aws-cdk-lib/aws-lambda';
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


/** Scenarios one failed-executions alarm watches (CloudWatch: at most 10 metrics in an alarm's math). */
export const scenariosPerFailureAlarm = 10;
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

/** What Step Functions needs to deliver execution logs to CloudWatch Logs (as CDK grants it). */
export const logDeliveryActions = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
/** What Step Functions needs to send X-Ray traces (as CDK grants it). */
const tracingActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

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
  /** Each scenario's execution role (its inline policy holds exactly the calls its definition makes). */
  readonly roles = new Map<string, iam.Role>();
  /** The Step Functions log delivery and X-Ray permissions every scenario role shares (they take no resource scope). */
  readonly logsAndTracing: iam.ManagedPolicy;
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
    // Every scenario machine of this stack and their executions, by name prefix: one statement whatever the
    // number of scenarios (a role's inline policies hold 10,240 characters, two statements per scenario
    // outgrew that at about 20), and execution ARNs end in a name only known at run time anyway.
    const allMachines = machineArn(`${prefix}*`);
    const allExecutions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${prefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.steps = functions.register(
      'scenarioSteps',
      new NurtureFunction(this, 'Steps', {
        name: 'scenarioSteps',
        description: 'Scenario tasks without a direct integration: branch facts, time of day, wait-for-event tokens, points',
        logRetention,
        // Behaviour conditions count page views and older activity with Athena queries on the event lake.
        timeout: Duration.seconds(60),
        files: querySqlFiles,
        lazyModules: ['@duckdb/node-api'],
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
    // Rule targets reach enroll and the dead-letter queue through views on which CDK adds no permission
    // per rule: a Lambda resource policy holds 20 KB and an SQS queue policy 20 statements, which two rules
    // per scenario would outgrow (the DLQ policy broke the deploy at 17 scenarios). One permission and one
    // queue statement below cover every rule on the Nurture bus instead.
    const enrollForRules = LambdaFn.fromFunctionAttributes(this, 'EnrollForRules', {
      functionArn: this.enroll.functionArn,
      // Not "same environment": CDK then adds no permission per rule (and skipPermissions: no warning).
      sameEnvironment: false,
      skipPermissions: true,
    });
    const deadLettersForRules = Queue.fromQueueAttributes(this, 'EnrollDeadLettersForRules', {
      queueArn: this.deadLetters.queueArn,
      queueUrl: this.deadLetters.queueUrl,
    });
    // The input each rule passes is built by the same function local mode calls; EventField fills it in.
    const target = (rule: EnrollRule) =>
      new LambdaFunction(enrollForRules, {
        event: RuleTargetInput.fromObject(enrollTargetInput(rule, (path) => EventField.fromPath(path))),
        deadLetterQueue: deadLettersForRules,
        maxEventAge: ruleTargetMaxEventAge,
        retryAttempts: 185,
      });
    const busRules = stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${bus.bus.eventBusName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    const logGroup = new LogGroup(this, 'ExecutionLogs', { retention: logRetention });
    // One customer-managed policy for what takes no resource scope, shared by every scenario role: the
    // wildcard acknowledgement covers this policy only, and it costs one resource, not one per scenario.
    this.logsAndTracing = new iam.ManagedPolicy(this, 'ExecutionLogsAndTracing', {
      description: 'Step Functions execution log delivery and X-Ray tracing of the Nurture scenarios',
      statements: [new iam.PolicyStatement({ actions: logDeliveryActions, resources: ['*'] }), new iam.PolicyStatement({ actions: tracingActions, resources: ['*'] })],
    });
    Validations.of(this.logsAndTracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray tracing (xray:PutTraceSegments and related) support no resource-level permission.',
    });
    const failing: { id: string; machine: StateMachine }[] = [];
    for (const scenario of this.scenarios) {
      const definition = compile(scenario);
      const used = resourcesUsed(definition);
      const calls: iam.PolicyStatement[] = [];
      // Invoke on the functions this definition calls, unqualified ARN only (no `:*` for versions).
      const invoked = [
        ...(JSON.stringify(definition).includes(`\${${placeholders.sendFunction}}`) ? [send.functionArn] : []),
        ...(JSON.stringify(definition).includes(`\${${placeholders.stepsFunction}}`) ? [this.steps.functionArn] : []),
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
        managedPolicies: [this.logsAndTracing],
      });
      this.roles.set(scenario.id, role);

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
        // CDK would add its log delivery and X-Ray statements to the role; the shared policy holds them.
        role: role.withoutPolicyUpdates(),
        // Every state's transition is logged (cdk-nag SF1) without its data: the data holds the lead's profile.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      this.machines.set(scenario.id, machine);


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

      failing.push({ id: scenario.id, machine });
    }
    this.alarmOnFailures(failing);

    if (this.scenarios.length > 0) {
      const grants: [iam.IGrantable | undefined, string[], string][] = [
        [this.enroll, ['states:StartExecution'], allMachines],
        [this.enroll, ['states:StopExecution', 'states:DescribeExecution'], allExecutions],
        [this.admin, ['states:ListExecutions'], allMachines],
        [this.admin, ['states:DescribeExecution', 'states:GetExecutionHistory'], allExecutions],
        // The stream processor resumes waiting executions (what StateMachine.grantTaskResponse grants).
        [props.processor, ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], allMachines],
      ];
      for (const [grantee, actions, resource] of grants) {
        if (!grantee) continue;
        const { principalStatement } = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [resource] });
        if (!principalStatement) continue;
        const policy = (grantee.grantPrincipal as iam.Role).node.tryFindChild('DefaultPolicy');
        if (policy) {
          const kind = resource === allMachines ? 'stateMachine' : 'execution';
          Validations.of(policy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:${kind}:${prefix}*]`,
            reason: `The scenario state machines of this stack (names start with ${prefix}) and their executions: scenarios come and go with the files in statemachines/, and execution ARNs end in a name only known at run time.`,
          });
        }
      }
    }

    // Step Functions reports how each execution ended on the default bus; enroll records it.
    if (this.machines.size > 0) {
      const ended = new Rule(this, 'ExecutionsEnded', {
        description: 'Records how scenario executions end (re-entry policy reads it)',
        eventPattern: {
          source: [statusEvents.source],
          detailType: [statusEvents.detailType],
          // By prefix, not a list of ARNs: an event pattern holds 2,048 characters, about 18 ARNs.
          detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: Match.prefix(machineArn(prefix)) },
        },
        targets: [target({ kind: 'ended' })],
      });
      const events = new iam.ServicePrincipal('events.amazonaws.com');
      this.enroll.addPermission('InvokedByNurtureBusRules', { principal: events, sourceArn: busRules });
      this.enroll.addPermission('InvokedByExecutionsEnded', { principal: events, sourceArn: ended.ruleArn });
      // One statement for every rule, whatever the number of scenarios (SQS: 20 statements, 8 KB a policy).
      this.deadLetters.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EnrollRuleDeliveries',
          principals: [events],
          actions: ['sqs:SendMessage'],
          resources: [this.deadLetters.queueArn],
          conditions: { ArnLike: { 'aws:SourceArn': [busRules, ended.ruleArn] } },
        }),
      );
    }
  }

  /**
   * One alarm per group of up to `scenariosPerFailureAlarm` scenarios on the sum of their failed or timed-out
   * executions, rather than one alarm each: an alarm's metric math takes at most 10 metrics, and an alarm
   * per scenario cost the stack a resource per scenario (the 500 of a stack are shared with everything
   * else). The description names the group's scenarios; the dashboard shows each on its own.
   */
  private alarmOnFailures(failing: readonly { id: string; machine: StateMachine }[]): void {
    for (let i = 0; i < failing.length; i += scenariosPerFailureAlarm) {
      const group = failing.slice(i, i + scenariosPerFailureAlarm);
      const usingMetrics = Object.fromEntries(group.map((g, k) => [`m${k}`, g.machine.metricFailed({ statistic: Stats.SUM, period: Duration.minutes(5) })]));
      this.alarms.push(
        new Alarm(this, `ScenariosFailed${i / scenariosPerFailureAlarm + 1}`, {
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
