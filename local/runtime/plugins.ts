import type { LocalPlugin } from './context.js';
import { analyticsPlugin } from './plugins/analytics.js';
import { formsCheckPlugin } from './plugins/forms-check.js';
import { formsFollowUpPlugin } from './plugins/forms-follow-up.js';
import { recommendationsPlugin } from './plugins/recommendations.js';
import { scenariosPlugin } from './plugins/scenarios.js';
import { scoringPlugin } from './plugins/scoring.js';
import { segmentsPlugin } from './plugins/segments.js';
import { sendingPlugin } from './plugins/sending.js';

/**
 * Capabilities' local wiring, in start order (stream consumers before the poller starts; the lake before
 * scoring, whose processor writes to it).
 */
export const plugins: LocalPlugin[] = [analyticsPlugin, scoringPlugin, segmentsPlugin, scenariosPlugin, sendingPlugin, formsFollowUpPlugin, recommendationsPlugin, formsCheckPlugin];
