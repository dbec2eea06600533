/**
 * Segment email in local mode: the broadcast state machine (the same definition CDK deploys) registered
 * with the local Step Functions as `Nurture-broadcasts` (its deployed name for the stack `Nurture`, so the
 * synthesized IAM policies name it), its page task served by the real broadcastPage handler, waits scaled
 * by NURTURE_TIME_SCALE. Called by the scenarios plugin, which owns the local Step Functions.
 * NURTURE_SES_RATE_PER_SECOND sets the rate broadcasts pace to (as nurture:sesRatePerSecond on AWS).
 */
import { join } from 'node:path';
import { broadcastDefinition, substituteBroadcast } from '../../../functions/broadcasts/domain/asl.js';
import { lambdaContext } from '../../emulators/api-gateway.js';
import type { LocalLambda } from '../../emulators/step-functions/integrations.js';
import type { Definition, LocalStepFunctions } from '../../emulators/step-functions/server.js';
import { asFunction } from '../../iam/index.js';
import { localFunctionName } from '../../iam/policies.js';
import type { LocalContext } from '../context.js';

/** The broadcast state machine's local name: what infra/broadcasts.ts names it in the stack `Nurture`. */
export const localBroadcastMachine = 'Nurture-broadcasts';
export const localBroadcastPageArn = `arn:aws:lambda:us-east-1:000000000000:function:${localFunctionName('broadcastPage')}`;

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** Environment of the broadcast functions in local mode. */
export function broadcastEnv(sfn: Pick<LocalStepFunctions, 'stateMachineArn'>): Record<string, string> {
  return {
    BROADCAST_STATE_MACHINE_ARN: sfn.stateMachineArn(localBroadcastMachine),
    ...(process.env.NURTURE_SES_RATE_PER_SECOND ? { SES_RATE_PER_SECOND: process.env.NURTURE_SES_RATE_PER_SECOND } : {}),
  };
}

export function registerBroadcasts(ctx: LocalContext, sfn: LocalStepFunctions, functions: Map<string, LocalLambda>): void {
  const env = broadcastEnv(sfn);
  Object.assign(ctx.env, env);
  Object.assign(process.env, env);
  let loaded: Promise<Handler> | undefined;
  const page: Handler = async (event, context) => {
    loaded ??= import(join(ctx.repoRoot, 'functions/broadcasts/page.ts')).then((m: { handler: Handler }) => m.handler);
    return (await loaded)(event, context);
  };
  functions.set(localBroadcastPageArn, asFunction('broadcastPage', page) as LocalLambda);
  sfn.register(localBroadcastMachine, substituteBroadcast(broadcastDefinition(), localBroadcastPageArn) as unknown as Definition);
}
