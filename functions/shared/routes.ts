/**
 * HTTP routes of the public API and the function that serves each. CDK wires these into the HTTP API;
 * local mode's HTTP server routes to the same handlers. Pure data.
 */

export type FunctionName = 'collect' | 'process' | 'rulesCheck' | 'sweep' | 'adminProfiles';

export interface RouteDef {
  readonly method: 'GET' | 'POST';
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
];

/** Source entry file of each function, relative to the repository root (for NodejsFunction and local mode). */
export const functionEntries: Record<FunctionName, string> = {
  collect: 'functions/ingest/collect.ts',
  process: 'functions/scoring/process.ts',
  rulesCheck: 'functions/scoring/rules-check.ts',
  sweep: 'functions/scoring/sweep.ts',
  adminProfiles: 'functions/identity/profiles-api.ts',
};
