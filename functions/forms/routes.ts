/**
 * HTTP routes of forms and landing pages, with their OpenAPI documentation. Two functions serve them:
 * `forms` (public: the form and its token, submissions, the double opt-in confirmation, landing pages
 * `/p/{slug}`) and `formsAdmin` (definitions, pages, submissions, stats).
 */
import type { Route } from '../shared/http.js';
import { formsAdminRoutes as definitionAdminRoutes, type FormsAdminPorts as DefinitionAdminPorts } from './admin-routes.js';
import { type ConfirmPorts, confirmRoutes } from './confirm-routes.js';
import type { FormsPorts } from './domain/submit.js';
import { type PageAdminPorts, pageAdminRoutes } from './page-admin-routes.js';
import { type PagePorts, pageRoutes } from './page-routes.js';
import { submitRoutes } from './submit-routes.js';

/** What the public `forms` function wires at module load (adapters/public-ports.ts). */
export type PublicFormsPorts = FormsPorts & ConfirmPorts & PagePorts;
/** What `formsAdmin` wires at module load (adapters/admin-ports.ts). */
export type FormsAdminPorts = DefinitionAdminPorts & PageAdminPorts & { stats: DefinitionAdminPorts['stats'] & PageAdminPorts['stats'] };

export const publicFormsRoutes: readonly Route<PublicFormsPorts>[] = [...submitRoutes, ...confirmRoutes, ...pageRoutes];
export const formsAdminRoutes: readonly Route<FormsAdminPorts>[] = [...definitionAdminRoutes, ...pageAdminRoutes];

/** Every route of forms. */
export const formsRoutes = [...publicFormsRoutes, ...formsAdminRoutes];
