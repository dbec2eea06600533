import { eventFunction } from '../shared/event-function.js';
import { pagePortsFromEnv } from './adapters/ports.js';
import { finishExecution, type FinishInput, type PageInput, runPage } from './domain/page.js';

const ports = await pagePortsFromEnv();

/**
 * The broadcast state machine's task (domain/asl.ts): one page of one shard (domain/page.ts), or, with
 * `action: finish`, the step after the Map. Errors are thrown for the state's Retry.
 */
export const handler = eventFunction('broadcastPage', async (event: (PageInput & { action?: undefined }) | (FinishInput & { action: 'finish' })) =>
  event.action === 'finish' ? finishExecution(event, ports) : runPage(event, ports),
);
