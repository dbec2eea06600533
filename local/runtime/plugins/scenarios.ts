/**
 * Scenarios in local mode: every scenario file compiled and registered with the local Step Functions
 * endpoint (waits scaled by NURTURE_TIME_SCALE), its trigger and goal rules on the local bus pointing at
 * the real enroll handler, execution status events fed back to it (as EventBridge does on AWS), and the
 * compiled Task states served by the real scenario-steps and send handlers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { compile, substitute } from '../../../functions/scenarios/domain/compile.js';
import { placeholders, type PlaceholderValues } from '../../../functions/scenarios/domain/contract.js';
import { enrollTargetInput, type EnrollRule } from '../../../functions/scenarios/domain/enroll-input.js';
import { loadScenarios } from '../../../functions/scenarios/adapters/scenario-files.js';
import { goalPattern, triggerPattern } from '../../../functions/scenarios/domain/patterns.js';
import type { Scenario } from '../../../functions/scenarios/domain/schema.js';
import { lambdaContext } from '../../emulators/api-gateway.js';
import type { BusEvent } from '../../emulators/event-bus.js';
import type { Pattern } from '../../emulators/event-pattern.js';
import type { LocalContext } from '../context.js';
import { type LocalLambda, scenarioTaskResources } from '../../emulators/step-functions/integrations.js';
import { type ExecutionRecord, LocalStepFunctions } from '../../emulators/step-functions/server.js';
import { asFunction } from '../../iam/index.js';
import { registerBroadcasts } from './broadcasts.js';

/** State machine names are this prefix plus the scenario id (on AWS: the stack name's, see infra/scenarios.ts). */
export const localStateMachinePrefix = 'nurture-scenario-';
/** Folder of scenario files; NURTURE_SCENARIOS_DIR points local mode (and tests) at another one. */
export const scenariosDirEnv = 'NURTURE_SCENARIOS_DIR';

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
export const localFunctionArns = { steps: fnArn('nurture-scenario-steps'), send: fnArn('nurture-send') } as const;

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** The EventBridge event Step Functions emits when an execution changes status (on the default bus). */
function statusEvent(e: ExecutionRecord): Record<string, unknown> {
  return {
    Source: 'aws.states',
    DetailType: 'Step Functions Execution Status Change',
    EventBusName: 'default',
    Resources: [e.executionArn],
    Detail: JSON.stringify({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate ?? null,
      input: e.input,
      output: e.output ?? null,
    }),
  };
}

/** What a rule passes to enroll for a delivered event: what the input transformer makes of it on AWS. */
function ruleInput(rule: EnrollRule, e: BusEvent) {
  return enrollTargetInput(rule, (path) => e[path.slice(2) as 'id' | 'source' | 'detail-type' | 'time' | 'detail']);
}

export async function scenariosPlugin(ctx: LocalContext): Promise<void> {
  const dir = process.env[scenariosDirEnv] ?? join(ctx.repoRoot, 'statemachines');
  const scenarios: Scenario[] = existsSync(dir) ? loadScenarios(dir) : [];
  const aws = { region: ctx.emulators.region, credentials: ctx.emulators.credentials };
  // The state machines' own integrations go through the checking proxies (ctx.iam.stateMachineTasks below).
  const dynamodb = new DynamoDBClient({ ...aws, endpoint: ctx.env.AWS_ENDPOINT_URL_DYNAMODB });
  const eventbridge = new EventBridgeClient({ ...aws, endpoint: ctx.env.AWS_ENDPOINT_URL_EVENTBRIDGE });

  // Handlers are imported lazily (at first call): plugins that start after this one may add env they read.
  const lazy = (entry: string): Handler => {
    let loaded: Promise<Handler> | undefined;
    return async (event, context) => {
      loaded ??= import(join(ctx.repoRoot, entry)).then((m: { handler: Handler }) => m.handler);
      return (await loaded)(event, context);
    };
  };
  const steps = asFunction('scenarioSteps', lazy('functions/scenarios/steps.ts'));
  const enroll = asFunction('enroll', lazy('functions/scenarios/enroll.ts'));
  // The real send function (caps, suppression, SES), as the send step's Lambda task calls it on AWS.
  const send: Handler = async (event) => (await import('./sending.js')).invokeSend(event);
  const functions = new Map<string, LocalLambda>([
    [localFunctionArns.steps, steps as LocalLambda],
    [localFunctionArns.send, send as LocalLambda],
  ]);

  const sfn = new LocalStepFunctions({
    region: ctx.emulators.region,
    timeScale: ctx.timeScale,
    tasks: ctx.iam.stateMachineTasks(scenarioTaskResources({ functions: (arn) => functions.get(arn), dynamodb, eventbridge })),
    onStatusChange: (e) => ctx.bus.putEvents([statusEvent(e)]),
    persistFile: join(ctx.dataDir, 'stepfunctions', 'executions.json'),
  });
  const url = await sfn.listen(ctx.ports.sfn);
  const env = {
    AWS_ENDPOINT_URL_SFN: await ctx.iam.endpoint('sfn', url),
    SCENARIO_STATE_MACHINE_PREFIX: localStateMachinePrefix,
    SCENARIO_STATE_MACHINE_ARN_PREFIX: sfn.stateMachineArn(localStateMachinePrefix),
  };
  Object.assign(ctx.env, env);
  Object.assign(process.env, env);
  ctx.extraEndpoints['Step Functions'] = url;

  const values: PlaceholderValues = {
    [placeholders.sendFunction]: localFunctionArns.send,
    [placeholders.stepsFunction]: localFunctionArns.steps,
    [placeholders.table]: ctx.env.TABLE_NAME!,
    [placeholders.bus]: ctx.env.EVENT_BUS_NAME!,
  };
  const arns: string[] = [];
  const call = (kind: string, event: unknown) => enroll(event, lambdaContext(`enroll-${kind}`));
  for (const scenario of scenarios) {
    const stateMachineArn = sfn.register(`${localStateMachinePrefix}${scenario.id}`, substitute(compile(scenario), values));
    arns.push(stateMachineArn);
    ctx.bus.addRule({
      name: `scenario-${scenario.id}-trigger`,
      pattern: triggerPattern(scenario.trigger) as Pattern,
      target: (e) => call('trigger', ruleInput({ kind: 'trigger', scenario, stateMachineArn }, e)),
    });
    if (scenario.goal) {
      ctx.bus.addRule({
        name: `scenario-${scenario.id}-goal`,
        pattern: goalPattern(scenario.goal) as Pattern,
        target: (e) => call('goal', ruleInput({ kind: 'goal', scenario, stateMachineArn }, e)),
      });
    }
  }
  if (arns.length > 0) {
    ctx.bus.addRule({
      name: 'scenario-executions-ended',
      pattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: arns },
      },
      target: (e) => call('ended', ruleInput({ kind: 'ended' }, e)),
    });
  }
  // Segment email's state machine shares this Step Functions (registered before interrupted runs resume).
  registerBroadcasts(ctx, sfn, functions);
  const resumed = sfn.resumeInterrupted();
  if (resumed > 0) console.log(`[scenarios] resumed ${resumed} execution(s) that were running at the last stop`);

  ctx.onStop(async () => {
    await sfn.close();
    dynamodb.destroy();
    eventbridge.destroy();
  });
}
