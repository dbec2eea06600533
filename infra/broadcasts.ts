import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
// The definition is pure data (no SDK): CDK deploys exactly what local mode runs.
import { broadcastDefinition, broadcastPlaceholders } from '../functions/broadcasts/domain/asl.js';
import type { NurtureConfig } from './config.js';
import { type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';
import type { Sending } from './sending.js';
import { logDeliveryActions } from './scenarios.js';

/** The broadcast state machine's name after the stack's (local mode registers `Nurture-broadcasts`). */
export const broadcastMachineSuffix = '-broadcasts';
/** The page task's timeout: a page of at most 500 sends, 8 at once, with room for SES and DynamoDB retries. */
export const broadcastPageTimeout = Duration.seconds(120);

export interface BroadcastsProps {
  readonly config: NurtureConfig;
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly sending: Sending;
  readonly functions: FunctionRegistry;
}

/**
 * Segment email: the broadcast state machine (functions/broadcasts/domain/asl.ts: an inline Map over the
 * member shards, each looping page task → Wait), its page task function (the send use case in-process,
 * with the send function's grants), and the admin API function that creates, starts, pauses, resumes and
 * cancels broadcasts.
 */
export class Broadcasts extends Construct {
  readonly machine: StateMachine;
  readonly page: NurtureFunction;
  readonly admin: NurtureFunction;

  constructor(scope: Construct, id: string, props: BroadcastsProps) {
    super(scope, id);
    const { config, logRetention, profiles, sending, functions } = props;
    const stack = Stack.of(this);
    const machineName = `${stack.stackName}${broadcastMachineSuffix}`;
    // By name, not the machine's Ref: the page task starts the machine's next execution, and a Ref would
    // make the function depend on the machine that depends on the function.
    const machineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: machineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${machineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const env = { BROADCAST_STATE_MACHINE_ARN: machineArn, SES_RATE_PER_SECOND: String(config.sesRatePerSecond), DEFAULT_TIME_ZONE: config.defaultTimeZone };

    this.page = functions.register(
      'broadcastPage',
      new NurtureFunction(this, 'Page', {
        name: 'broadcastPage',
        description: 'Segment email: one page of one member shard through the send use case, paced to the SES rate',
        logRetention,
        memorySize: 512,
        timeout: broadcastPageTimeout,
        environment: env,
      })
        // Query (member pages, deferred entries), Get/Put/Update (broadcast, shards, send counter and
        // records), BatchWriteItem (deferred entries).
        .bindTable(profiles, 'readWrite'),
    );
    sending.grantSending(this.page);

    this.admin = functions.register(
      'broadcastsAdmin',
      new NurtureFunction(this, 'Admin', {
        name: 'broadcastsAdmin',
        description: 'Admin API of segment email: create, list, show, pause, resume, cancel broadcasts',
        logRetention,
        environment: env,
      }).bindTable(profiles, 'readWrite'),
    );

    for (const fn of [this.page, this.admin]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machineArn] }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
      const policy = fn.role!.node.tryFindChild('DefaultPolicy');
      if (policy) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName}:*]`,
          reason: 'Executions of the broadcast state machine: their names (broadcast id and generation) are only known at run time.',
        });
      }
    }

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the broadcast state machine: invoke its page task, logs and tracing',
      inlinePolicies: {
        calls: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.page.functionArn] })] }),
        logsAndTracing: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                ...logDeliveryActions,
                'xray:PutTraceSegments',
                'xray:PutTelemetryRecords',
                'xray:GetSamplingRules',
                'xray:GetSamplingTargets',
              ],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray tracing (xray:PutTraceSegments and related) support no resource-level permission.',
    });

    this.machine = new StateMachine(this, 'Machine', {
      stateMachineName: machineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Nurture segment email (broadcasts)',
      definitionBody: DefinitionBody.fromString(JSON.stringify(broadcastDefinition())),
      definitionSubstitutions: { [broadcastPlaceholders.pageFunction]: this.page.functionArn },
      role: role.withoutPolicyUpdates(),
      // Transitions logged without data (the data holds profile ids).
      logs: { destination: new LogGroup(this, 'ExecutionLogs', { retention: logRetention }), level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
  }
}
