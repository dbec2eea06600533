import { httpFunction } from '../shared/http-function.js';
import { observability } from '../shared/observability.js';
import { formsEnv, formsOrigins, submitPorts } from './adapters/submit-ports.js';
import { submitRoutes } from './submit-routes.js';

const env = formsEnv();
// Counters published at most once a minute per warm environment: a bot storm must not cost a log line a request.
const observed = observability('forms', { flushEveryMs: 60_000 });

/** Public forms: the form with its render token, and submissions (JSON from the embed, or a plain form post). */
export const handler = httpFunction('forms', submitRoutes, await submitPorts(env, observed), { cors: formsOrigins(env), observed });
