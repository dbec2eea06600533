/**
 * HTTP routes of the public API and the function that serves each. CDK wires these into the HTTP API;
 * local mode's HTTP server routes to the same handlers. Pure data.
 */

export type FunctionName =
  | 'collect'
  | 'process'
  | 'rulesCheck'
  | 'sweep'
  | 'adminProfiles'
  | 'send'
  | 'mailLinks'
  | 'sendingAdmin'
  | 'templateCheck'
  | 'sesEvents'
  | 'enroll'
  | 'scenarioSteps'
  | 'scenariosAdmin';

export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly fn: FunctionName;
  /** Browser-facing routes get CORS handling from the allow-list of site origins. */
  readonly cors: boolean;
  /**
   * `admin`: only operators and their tools. On AWS the route has the IAM authorizer (SigV4); locally the
   * HTTP server requires `Authorization: Bearer <local admin token>`. Handlers never check it themselves.
   */
  readonly auth?: 'admin';
}

/** Segment HTTP Tracking API paths; every one accepts a single message (or `batch` for /v1/batch). */
export const segmentPaths = [
  '/v1/batch',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/identify',
  '/v1/alias',
  '/v1/group',
] as const;

export const routes: readonly RouteDef[] = [
  ...segmentPaths.map((path): RouteDef => ({ method: 'POST', path, fn: 'collect', cors: true })),
  { method: 'GET', path: '/v1/pixel.gif', fn: 'collect', cors: false },
  { method: 'GET', path: '/v1/admin/profiles/{id}', fn: 'adminProfiles', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/leads', fn: 'adminProfiles', cors: false, auth: 'admin' },
  // Mail links (sending): open pixel, click redirect, unsubscribe page + RFC 8058 one-click, view in browser.
  { method: 'GET', path: '/v1/t/o/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/t/c/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/u/{token}', fn: 'mailLinks', cors: false },
  { method: 'POST', path: '/v1/u/{token}', fn: 'mailLinks', cors: false },
  { method: 'GET', path: '/v1/v/{token}', fn: 'mailLinks', cors: false },
  // Sending operations: suppressions, consent, template check reports.
  { method: 'GET', path: '/v1/admin/suppressions', fn: 'sendingAdmin', cors: false, auth: 'admin' },
  { method: 'POST', path: '/v1/admin/suppressions', fn: 'sendingAdmin', cors: false, auth: 'admin' },
  { method: 'DELETE', path: '/v1/admin/suppressions/{email}', fn: 'sendingAdmin', cors: false, auth: 'admin' },
  { method: 'POST', path: '/v1/admin/profiles/{id}/consent', fn: 'sendingAdmin', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/templates/{id}', fn: 'sendingAdmin', cors: false, auth: 'admin' },
  // Scenarios: state machines, their executions (current step) and an execution's history.
  { method: 'GET', path: '/v1/admin/scenarios', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/scenarios/{id}/executions', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
  { method: 'GET', path: '/v1/admin/scenarios/{id}/executions/{name}', fn: 'scenariosAdmin', cors: false, auth: 'admin' },
];

/** Source entry file of each function, relative to the repository root (for NodejsFunction and local mode). */
export const functionEntries: Record<FunctionName, string> = {
  collect: 'functions/ingest/collect.ts',
  process: 'functions/scoring/process.ts',
  rulesCheck: 'functions/scoring/rules-check.ts',
  sweep: 'functions/scoring/sweep.ts',
  adminProfiles: 'functions/identity/profiles-api.ts',
  send: 'functions/sending/send.ts',
  mailLinks: 'functions/sending/links.ts',
  sendingAdmin: 'functions/sending/admin.ts',
  templateCheck: 'functions/sending/template-check.ts',
  sesEvents: 'functions/sending/ses-events.ts',
  enroll: 'functions/scenarios/enroll.ts',
  scenarioSteps: 'functions/scenarios/steps.ts',
  scenariosAdmin: 'functions/scenarios/admin.ts',
};
