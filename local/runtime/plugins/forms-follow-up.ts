import type { EventBridgeEvent } from 'aws-lambda';
import { followUpPattern } from '../../../functions/forms/domain/follow-up.js';
import type { LocalContext } from '../context.js';
import { asFunction } from '../../iam/index.js';

/**
 * Form follow-up in local mode: the same rule as on AWS (infra/forms-follow-up.ts) on the local bus, so a
 * `Form Submitted` with `properties.followUp` (published by the local stream processor) runs the
 * formsFollowUp handler as its own role: confirmation and double opt-in mail land in the local SES inbox.
 */
export async function formsFollowUpPlugin(ctx: LocalContext): Promise<void> {
  const followUp = asFunction('formsFollowUp', ((await import('../../../functions/forms/follow-up.js')) as {
    handler: (e: EventBridgeEvent<'Form Submitted', unknown>) => Promise<unknown>;
  }).handler);
  ctx.bus.addRule({
    name: 'forms-follow-up',
    pattern: followUpPattern,
    target: (event) => followUp(event as unknown as EventBridgeEvent<'Form Submitted', unknown>),
  });
}
