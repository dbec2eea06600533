import type { EventBridgeEvent } from 'aws-lambda';
import { eventFunction } from '../shared/event-function.js';
import { observability } from '../shared/observability.js';
import { followUpPortsFromEnv } from './adapters/follow-up-ports.js';
import { followUp } from './domain/follow-up.js';

const { logger } = observability('formsFollowUp');
const ports = await followUpPortsFromEnv((message, details) => logger.warn(message, details));

/**
 * After a form submission (the `Form Submitted` activity event with `properties.followUp`, from the bus
 * once the stream processor has updated the profile): the confirmation mail, the double opt-in mail and
 * the hand-off to sales. Throws to be retried (EventBridge, then Lambda's async retries, then the DLQ).
 */
export const handler = eventFunction('formsFollowUp', async (event: EventBridgeEvent<'Form Submitted', unknown>) => {
  const result = await followUp(event.detail, ports);
  if (result.done.length > 0) logger.info('form follow-up', { done: result.done });
  return result;
});
