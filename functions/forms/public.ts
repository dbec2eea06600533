import { httpFunction } from '../shared/http-function.js';
import { observability } from '../shared/observability.js';
import { publicFormsPorts } from './adapters/public-ports.js';
import { formsEnv, formsOrigins } from './adapters/submit-ports.js';
import { publicFormsRoutes } from './routes.js';

const env = formsEnv();
// Counters published at most once a minute per warm environment: a bot storm must not cost a log line a request.
const observed = observability('forms', { flushEveryMs: 60_000 });

/**
 * Public forms: the form with its render token, submissions (JSON from the embed, or a plain form post),
 * the double opt-in confirmation, and landing pages `/p/{slug}`.
 */
export const handler = httpFunction('forms', publicFormsRoutes, await publicFormsPorts(env, observed), { cors: formsOrigins(env), observed });
