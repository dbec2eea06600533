import { Annotations, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { routes as allRoutes } from '../functions/api/routes.js';
import type { FunctionName } from '../functions/shared/functions.js';
import type { RouteDef } from '../functions/shared/http.js';

export interface RegisterOptions {
  /**
   * Why this function's routes without `auth` may go without an API Gateway authorizer. Required for a
   * function that serves such a route; it becomes the cdk-nag APIG4 acknowledgement of each of them.
   */
  readonly publicBecause?: string;
}

interface Registered {
  readonly fn: IFunction;
  readonly publicBecause?: string;
}

/**
 * Every deployed function by its name in functions/shared/functions.ts. Capability constructs register
 * their functions; the stack then wires all routes of routes.ts in one place (`addRoutes`), so adding
 * a route is a line in routes.ts plus a `register` call next to the function.
 */
export class FunctionRegistry {
  private readonly entries = new Map<FunctionName, Registered>();

  /** Registers `fn` under `name` and returns it. */
  register<F extends IFunction>(name: FunctionName, fn: F, options: RegisterOptions = {}): F {
    if (this.entries.has(name)) throw new Error(`function '${name}' is registered twice`);
    this.entries.set(name, { fn, ...options });
    return fn;
  }

  /** The function registered under `name`, if any. */
  get(name: FunctionName): IFunction | undefined {
    return this.entries.get(name)?.fn;
  }

  /**
   * Adds the routes to the API, integrated with the function each names (one integration per function).
   * `auth: 'admin'` routes get the IAM authorizer: callers sign with SigV4 and need execute-api:Invoke
   * on the route. An admin area served by one function is deployed as greedy routes (`adminRouteKeys`),
   * public routes one per path and method. A route whose function no construct registered is skipped
   * with a synth warning.
   */
  addRoutes(api: HttpApi, routes: readonly RouteDef[] = allRoutes): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (fnName: FunctionName, fn: IFunction) => {
      let integration = integrations.get(fnName);
      if (!integration) {
        // One invoke permission per function, not one per route: a function serves all its routes, and a
        // permission per route costs a stack resource each (the stack's 500 are shared with scenarios).
        integration = new HttpLambdaIntegration(`${pascalCase(fnName)}Integration`, fn, { scopePermissionToRoute: false });
        integrations.set(fnName, integration);
      }
      return integration;
    };
    let iamAuthorizer: HttpIamAuthorizer | undefined;
    const deployed: RouteDef[] = [];
    for (const route of routes) {
      const entry = this.entries.get(route.fn);
      if (entry) {
        deployed.push(route);
        continue;
      }
      // A warning, not an error: routes.ts may list a capability whose construct is still being
      // written. `cdk synth --strict` turns it into a failure for a release build.
      Annotations.of(api).addWarningV2(
        '@nurture/routes:unregistered-function',
        `route ${route.method} ${route.path} is not deployed: no construct registered its function '${route.fn}'`,
      );
    }
    for (const route of routeKeysOf(deployed)) {
      const entry = this.entries.get(route.fn)!;
      const integration = integrationOf(route.fn, entry.fn);
      const admin = route.auth === 'admin';
      if (admin) iamAuthorizer ??= new HttpIamAuthorizer();
      const [httpRoute] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(admin ? { authorizer: iamAuthorizer } : {}),
      });
      if (admin) continue;
      if (!entry.publicBecause) {
        throw new Error(
          `route ${route.method} ${route.path} has no auth, but '${route.fn}' was registered without publicBecause`,
        );
      }
      // Per route, not on the whole API: a new route without an authorizer is still flagged.
      Validations.of(httpRoute!).acknowledge({ id: 'AwsSolutions-APIG4', reason: entry.publicBecause });
    }
  }
}

/** A route as deployed: a documented route, or a greedy `ANY` route standing for an admin area. */
export type DeployedRoute = Omit<RouteDef, 'method'> & { readonly method: RouteDef['method'] | 'ANY' };

/** An admin route's area: its first three path segments (`/v1/admin/segments`). */
export const adminAreaOf = (path: string) => path.split('/').slice(0, 4).join('/');

/**
 * The API Gateway routes that deploy `routes`. CloudFormation's 500 resources per stack are shared with
 * scenarios, and each route is one, so an admin area whose routes all belong to one function becomes
 * `ANY <area>` (if the area path itself is a route) and `ANY <area>/{proxy+}` (if a deeper path is) —
 * when that is fewer routes. The function's router (functions/shared/http.ts serveRoutes) matches
 * method and path itself and answers 404/405 for what it does not serve. Areas shared by functions and
 * public routes stay one route per path and method: API Gateway answers 404 for anything else.
 */
export function routeKeysOf(routes: readonly RouteDef[]): DeployedRoute[] {
  const areas = new Map<string, RouteDef[]>();
  for (const r of routes) {
    if (r.auth !== 'admin') continue;
    const area = adminAreaOf(r.path);
    areas.set(area, [...(areas.get(area) ?? []), r]);
  }
  const out: DeployedRoute[] = [];
  const grouped = new Set<string>();
  for (const route of routes) {
    if (route.auth !== 'admin') {
      out.push(route);
      continue;
    }
    const area = adminAreaOf(route.path);
    const members = areas.get(area)!;
    const greedy = [
      ...(members.some((m) => m.path === area) ? [area] : []),
      ...(members.some((m) => m.path !== area) ? [`${area}/{proxy+}`] : []),
    ];
    if (new Set(members.map((m) => m.fn)).size > 1 || greedy.length >= members.length) {
      out.push(route);
      continue;
    }
    if (grouped.has(area)) continue;
    grouped.add(area);
    for (const path of greedy) out.push({ method: 'ANY', path, fn: route.fn, cors: route.cors, auth: 'admin' });
  }
  return out;
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
