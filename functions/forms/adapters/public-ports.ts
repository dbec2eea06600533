import type { Observed } from '../../shared/observability.js';
import type { PublicFormsPorts } from '../routes.js';
import { confirmPortsFromEnv } from './follow-up-ports.js';
import { pagePortsFromEnv } from './page-ports.js';
import { type FormsEnv, submitPorts } from './submit-ports.js';

/**
 * The public forms function's ports, wired once at cold start: the submission path's, the double opt-in
 * confirmation's and the landing pages' (which read profiles through the submission path's reads, for
 * progressive profiling).
 */
export async function publicFormsPorts(env: FormsEnv, observed: Pick<Observed<'forms'>, 'metrics'>): Promise<PublicFormsPorts> {
  const [submit, confirm, pages] = await Promise.all([submitPorts(env, observed), confirmPortsFromEnv(), pagePortsFromEnv()]);
  return { ...pages, ...confirm, ...submit, profiles: { linkedProfile: submit.linkedProfile, traitsOf: submit.traitsOf } };
}
