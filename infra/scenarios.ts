import { querySqlFiles } from '../functions/analytics/adapters/query-sql.js';
import { join } from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFn, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
// The document loader is pure (no SDK): CDK deploys exactly what local mode runs.
import { enrollTargetInput, type EnrollRule } from '../functions/scenarios/domain/enroll-input.js';
import { loadScenarios } from '../functions/scenarios/adapters/scenario-files.js';
import type { Scenario } from '../functions/scenarios/domain/schema.js';
import { type DefinedBus, type DefinedStream, type DefinedTable, NurtureFunction, repoRoot } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';
import { ScenarioMachines, scenariosPerShardLimit, shardOf } from './scenario-machines.js';

export { scenariosPerFailureAlarm } from './scenario-machines.js';

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

/**
 * Scenarios: one Standard state machine per file in statemachines/ (compiled by the same compiler local
 * mode runs), each with its trigger and goal rules, logging, tracing, a role scoped to what its own
 * definition calls, and an alarm on failed executions (these in nested stacks, `shards`); the enroll and
 * scenario-steps functions; and the admin API function.
 */
export class Scenarios extends Construct {
  readonly scenarios: Scenario[];
  /** Every scenario's state machine by scenario id, in file order (each lives in its shard's nested stack). */
  readonly machines = new Map<string, StateMachine>();
  /** The nested stacks holding each scenario's role, state machine, rules and failure alarms. */
  readonly shards: ScenarioMachines[] = [];
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
    // Each scenario's own resources in a nested stack, by a hash of its id (stable: see shardOf), so the
    // number of scenarios no longer counts against this stack's 500 resources.
    const byShard = new Map<number, Scenario[]>();
    for (const scenario of this.scenarios) byShard.set(shardOf(scenario.id), [...(byShard.get(shardOf(scenario.id)) ?? []), scenario]);
    const shards = new Map<number, ScenarioMachines>();
    for (const [shard, scenarios] of [...byShard].sort(([a], [b]) => a - b)) {
      if (scenarios.length > scenariosPerShardLimit) {
        throw new Error(`scenarios ${scenarios.map((s) => s.id).join(', ')} share nested stack ScenarioMachines${shard}: at most ${scenariosPerShardLimit} a nested stack (CloudFormation: 500 resources a stack)`);
      }
      const nested = new ScenarioMachines(this, `ScenarioMachines${shard}`, {
        scenarios, prefix, profiles, bus, send, steps: this.steps, logGroup, logsAndTracing: this.logsAndTracing, target,
      });
      shards.set(shard, nested);
      this.alarms.push(...nested.alarms);
    }
    this.shards.push(...shards.values());
    // Machines and roles in file order, as before the nested stacks (the dashboard's order).
    for (const { id } of this.scenarios) {
      const nested = shards.get(shardOf(id))!;
      this.machines.set(id, nested.machines.get(id)!);
      this.roles.set(id, nested.roles.get(id)!);
    }

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
}
