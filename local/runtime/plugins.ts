import type { LocalPlugin } from './context.js';
import { scenariosPlugin } from './plugins/scenarios.js';
import { scoringPlugin } from './plugins/scoring.js';
import { sendingPlugin } from './plugins/sending.js';

/** Capabilities' local wiring, in start order (stream consumers before the poller starts). */
export const plugins: LocalPlugin[] = [scoringPlugin, scenariosPlugin, sendingPlugin];
